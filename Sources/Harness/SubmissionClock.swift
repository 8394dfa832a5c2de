/// AlgoPerf's accumulated submission time: only the spans explicitly timed count.
///
/// The runner times data selection and the submission's `step` (and its
/// `parametersForEvaluation`); initialisation, evaluation, logging and file writes fall
/// outside every timed span and so never count.
public struct SubmissionClock {
    /// The clock the spans are read from.
    public let source: TrialClock
    /// Accumulated submission time, seconds.
    public private(set) var elapsed: Double = 0

    public init(source: TrialClock = .wall) {
        self.source = source
    }

    /// Runs `body`, adding its duration to `elapsed`.
    public mutating func time<T>(_ body: () throws -> T) rethrows -> T {
        let start = source.now()
        defer { elapsed += source.now() - start }
        return try body()
    }
}
