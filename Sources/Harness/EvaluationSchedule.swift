/// When the runner evaluates: every `eval_period_s` of submission time (AlgoPerf), or
/// every N steps (for bit-for-bit reproducibility checks, where evaluations must fall
/// on the same steps in every run).
public enum EvaluationSchedule: Sendable, Equatable {
    case submissionTime(period: Double)
    case steps(period: Int)

    /// Whether an evaluation is due after `step` steps at `time` seconds, given the last
    /// evaluation's step and time.
    func isDue(step: Int, time: Double, lastStep: Int, lastTime: Double) -> Bool {
        switch self {
        case .submissionTime(let period): time - lastTime >= period
        case .steps(let period): step - lastStep >= period
        }
    }

    /// Where the trial stands in this schedule's measure: seconds of submission time, or
    /// steps (what a `SnapshotGrid` for this schedule counts).
    func measure(step: Int, time: Double) -> Double {
        switch self {
        case .submissionTime: time
        case .steps: Double(step)
        }
    }
}
