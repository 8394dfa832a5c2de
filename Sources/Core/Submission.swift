import NN

/// The budget of one trial, as a submission may see it.
public struct Budget: Sendable, Equatable {
    /// Submission time allowed, in seconds.
    public let maxRuntimeSeconds: Double
    /// Steps the calibrated baseline takes within the budget.
    public let stepHint: Int

    public init(maxRuntimeSeconds: Double, stepHint: Int) {
        self.maxRuntimeSeconds = maxRuntimeSeconds
        self.stepHint = stepHint
    }
}

/// What a submission knows at each step.
public struct StepContext: Sendable {
    /// Index of this step, from 0.
    public let step: Int
    /// Steps the baseline takes within the budget (for schedules).
    public let stepHint: Int
    /// Accumulated submission time before this step, in seconds.
    public let submissionTime: Double
    /// The most recent evaluation, if any.
    public let lastEvaluation: Metrics?

    public init(step: Int, stepHint: Int, submissionTime: Double, lastEvaluation: Metrics?) {
        self.step = step
        self.stepHint = stepHint
        self.submissionTime = submissionTime
        self.lastEvaluation = lastEvaluation
    }
}

/// A training algorithm under test.
///
/// A submission reads the workload's `WorkloadInfo` (shapes, kinds, loss type, step
/// hint) but never branches on its name. Adding one = one file in
/// `Sources/Submissions/` + one line in `SubmissionRegistry`.
public protocol Submission {
    /// Registry name (lower case, used on the command line and in results).
    static var name: String { get }
    /// The external-tuning search space, in AlgoPerf's format.
    static var searchSpace: SearchSpace { get }
    /// The self-tuning ruleset's hyperparameters.
    static var defaultHyperparameters: Hyperparameters { get }

    /// Prepares the optimizer state; throws on invalid hyperparameters.
    init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws

    /// One training step: draw on `oracle` as needed and update `parameters` in place.
    mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws

    /// The parameters to evaluate (an average, for Polyak/EMA/schedule-free methods).
    func parametersForEvaluation(_ parameters: ParameterSet) -> ParameterSet

    /// Bytes of optimizer state held (moments, preconditioners, averages).
    var stateBytes: Int { get }
}

extension Submission {
    public func parametersForEvaluation(_ parameters: ParameterSet) -> ParameterSet { parameters }
}
