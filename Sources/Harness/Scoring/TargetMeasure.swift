import Core
import Results

/// What "to target" is counted in: AlgoPerf's submission time, or the
/// hardware-independent step and oracle-call counts (reproducible across machines).
public enum TargetMeasure: String, Sendable, CaseIterable {
    case time
    case steps
    case oracleCalls = "oracle_calls"

    /// Unit for tables and axis labels.
    public var unit: String {
        switch self {
        case .time: "s"
        case .steps: "steps"
        case .oracleCalls: "oracle calls"
        }
    }

    /// The measure at the evaluation with the smallest submission time among those
    /// meeting the trial's validation target (earliest in time, whatever the row order),
    /// or `.infinity` when no evaluation met it.
    public func toTarget(of trial: TrialRecord) -> Double {
        let workload = trial.workload
        var best: EvaluationRow?
        for row in trial.evaluations where workload.direction.meets(row.validationMetric, target: workload.validationTarget) {
            if best.map({ row.submissionTime < $0.submissionTime }) ?? true { best = row }
        }
        guard let row = best else { return .infinity }
        switch self {
        case .time: return row.submissionTime
        case .steps: return Double(row.step)
        case .oracleCalls: return Double(row.oracleCalls)
        }
    }
}
