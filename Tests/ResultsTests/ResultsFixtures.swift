import Core
import Foundation
import Results

/// Sample records and scratch directories shared by the Results tests.
enum ResultsFixtures {
    /// A fresh, empty directory under the system's temporary directory, unique per call.
    static func temporaryDirectory(_ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("optbench-results-\(name)-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func provenance(host: String = "node-1", created: String = "2026-11-22T19:00:00Z") -> Provenance {
        Provenance(
            schemaVersion: ResultsLayout.schemaVersion, toolVersion: "0.1.0", gitCommit: "5fb0981+dirty", commandLine: "optbench trial --seed 7 \"é\"",
            host: host, cpu: "AMD EPYC 7B13 64-Core Processor", cores: 2, blas: "OpenBLAS 0.3.21 (Haswell)", blasThreads: 1,
            swiftVersion: "Swift 6.3", created: created)
    }

    static func workload(_ name: String = "regression", target: Double = 0.125) -> WorkloadRecord {
        WorkloadRecord(
            name: name, variantOf: name == "regression" ? nil : "regression", metric: "mse", direction: .minimize,
            validationTarget: target, testTarget: target * 1.1, maxRuntimeSeconds: 60, evalPeriodSeconds: 2.5, stepHint: 1200)
    }

    static func row(_ step: Int, loss: Double) -> EvaluationRow {
        var counts = OracleCounts()
        counts.examples = step * 32
        counts.gradientEvaluations = step
        counts.hessianVectorProducts = step / 4
        counts.functionEvaluations = 3
        return EvaluationRow(
            step: step, submissionTime: Double(step) * 0.01 + 1e-9, wallTime: Double(step) * 0.0125,
            counts: counts, metrics: Metrics(trainLoss: loss, validationMetric: loss * 1.5, testMetric: loss.isNaN ? .nan : loss * 1.75))
    }

    /// A trial that reached its target, with every field set to a distinctive value.
    static func reachedTrial(submission: String = "adamw", workload: WorkloadRecord = workload(), study: Int = 0, trial: Int = 1) -> TrialRecord {
        TrialRecord(
            key: TrialKey(submission: submission, workload: workload.name, ruleset: "external", study: study, trial: trial),
            workload: workload,
            hyperparameters: Hyperparameters(["learning_rate": 0.1, "beta2": 0.999, "weight_decay": 3.0000000000000004e-8, "warmup": 50]),
            seed: UInt64.max - 12345, status: .reachedTarget, message: "", timeToTarget: 1.2345678901234567,
            stepsToTarget: 400, oracleCallsToTarget: 503, stateBytes: 8_589_934_592, peakResidentBytes: 123_456_789,
            evaluations: [row(0, loss: 2.5), row(200, loss: 0.5), row(400, loss: .nan)],
            trainLossSteps: [0, 10, 20, 400], trainLossValues: [2.5, 1.25, .infinity, 0.1], budgetScale: 0.15,
            snapshotRatio: 1.08)
    }

    /// A crashed trial: nil targets, an empty evaluation table and no loss log.
    static func crashedTrial(submission: String = "nesterov", trial: Int = 0) -> TrialRecord {
        TrialRecord(
            key: TrialKey(submission: submission, workload: "regression", ruleset: "self", study: 2, trial: trial),
            workload: workload(), hyperparameters: Hyperparameters([:]), seed: 0, status: .crashed,
            message: "trial process killed by signal 11; log tail:\nabout to crash — ünïcode", timeToTarget: nil,
            stepsToTarget: nil, oracleCallsToTarget: nil, stateBytes: 0, peakResidentBytes: 0,
            evaluations: [], trainLossSteps: [], trainLossValues: [])
    }

    /// Whether two records are equal, treating NaN as equal to NaN (`==` does not).
    static func same(_ a: TrialRecord, _ b: TrialRecord) -> Bool {
        bitPattern(a) == bitPattern(b)
    }

    /// A description in which every floating-point value appears as its bit pattern.
    private static func bitPattern(_ r: TrialRecord) -> String {
        let rows = r.evaluations.map { e in
            "\(e.step) \(e.submissionTime.bitPattern) \(e.wallTime.bitPattern) \(e.examples) \(e.gradientEvaluations) "
                + "\(e.hessianVectorProducts) \(e.functionEvaluations) \(e.trainLoss.bitPattern) "
                + "\(e.validationMetric.bitPattern) \(e.testMetric.bitPattern)"
        }
        let hyper = r.hyperparameters.values.keys.sorted().map { "\($0)=\(r.hyperparameters.values[$0]!.bitPattern)" }
        return [
            "\(r.key)", "\(r.workload)", hyper.joined(separator: ","), "\(r.seed)", r.status.rawValue, r.message,
            "\(r.timeToTarget?.bitPattern as Any)", "\(r.stepsToTarget as Any)", "\(r.oracleCallsToTarget as Any)",
            "\(r.stateBytes)", "\(r.peakResidentBytes)", rows.joined(separator: ";"), "\(r.trainLossSteps)",
            "\(r.trainLossValues.map(\.bitPattern))", "\(r.budgetScale.bitPattern)", "\(r.snapshotRatio?.bitPattern as Any)",
        ].joined(separator: "|")
    }
}
