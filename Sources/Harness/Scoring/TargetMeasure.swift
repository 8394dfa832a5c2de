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
        Self.earliestReaching(in: trial).map(value(at:)) ?? .infinity
    }

    /// The evaluation with the smallest submission time among those meeting the trial's
    /// validation target (the first such in row order on ties), or nil.
    public static func earliestReaching(in trial: TrialRecord) -> EvaluationRow? {
        let workload = trial.workload
        var best: EvaluationRow?
        for row in trial.evaluations where workload.direction.meets(row.validationMetric, target: workload.validationTarget) {
            if best.map({ row.submissionTime < $0.submissionTime }) ?? true { best = row }
        }
        return best
    }

    /// The first evaluation, in recorded order, meeting the trial's validation target
    /// (AlgoPerf's choice: `np.argmax` over the target-reached flags), with its index.
    public static func firstReaching(in trial: TrialRecord) -> (index: Int, row: EvaluationRow)? {
        let workload = trial.workload
        guard let index = trial.evaluations.firstIndex(where: { workload.direction.meets($0.validationMetric, target: workload.validationTarget) })
        else { return nil }
        return (index, trial.evaluations[index])
    }

    /// The measure's value at one evaluation (NaN for oracle calls a run did not record).
    public func value(at row: EvaluationRow) -> Double {
        switch self {
        case .time: row.submissionTime
        case .steps: Double(row.step)
        case .oracleCalls: row.oracleCalls.map(Double.init) ?? .nan
        }
    }
}
