import Core
import Results

/// Hand-built trial records for the scoring tests.
enum ScoringFixtures {
    static func workload(_ name: String, variantOf: String? = nil, target: Double = 1, direction: MetricDirection = .minimize) -> WorkloadRecord {
        WorkloadRecord(
            name: name, variantOf: variantOf, metric: "loss", direction: direction, validationTarget: target, testTarget: target,
            maxRuntimeSeconds: 100, evalPeriodSeconds: 1, stepHint: 100)
    }

    /// A trial whose evaluations are (submission time, validation metric) pairs; step is
    /// 10× the row index and oracle calls 3× the step, so the measures differ.
    static func trial(
        _ submission: String, _ workload: WorkloadRecord, study: Int = 0, trial: Int = 0, ruleset: String = "external",
        evals: [(time: Double, metric: Double)]
    ) -> TrialRecord {
        let rows = evals.enumerated().map { i, e in
            var counts = OracleCounts()
            counts.gradientEvaluations = 30 * (i + 1)
            return EvaluationRow(
                step: 10 * (i + 1), submissionTime: e.time, wallTime: e.time, counts: counts,
                metrics: Metrics(trainLoss: e.metric, validationMetric: e.metric, testMetric: e.metric))
        }
        return TrialRecord(
            key: TrialKey(submission: submission, workload: workload.name, ruleset: ruleset, study: study, trial: trial),
            workload: workload, hyperparameters: Hyperparameters(), seed: 0, status: .budgetExhausted, message: "",
            timeToTarget: nil, stepsToTarget: nil, oracleCallsToTarget: nil, stateBytes: 0, peakResidentBytes: 0,
            evaluations: rows, trainLossSteps: [], trainLossValues: [])
    }

    /// A trial that first meets its target (1, minimised) at `time`, or never (`nil`).
    static func reaching(_ submission: String, _ workload: WorkloadRecord, at time: Double?, study: Int = 0, trial: Int = 0) -> TrialRecord {
        let evals: [(time: Double, metric: Double)] = time.map { [($0 / 2, 5), ($0, 0.5)] } ?? [(1, 5), (2, 4)]
        return Self.trial(submission, workload, study: study, trial: trial, evals: evals)
    }
}
