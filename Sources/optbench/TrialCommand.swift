import ArgumentParser
import Core
import Foundation
import Harness
import Results
import Tensor

/// `optbench trial`: runs one trial in this process and writes its file atomically.
/// `optbench run` starts one of these per trial; a cluster job array can call it directly.
struct TrialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trial", abstract: "Run one trial and write its results file (what `run` and cluster jobs call).")

    @Option(help: "Folder of workload specs.") var workloadsDir = "workloads"
    @Option(help: "Workload (base or variant) name.") var workload: String
    @Option(help: "Submission name.") var submission: String
    @Option(help: "Ruleset: external or self (calibration uses calibration_tuning and calibration_reruns).") var ruleset: String
    @Option(help: "Study index.") var study: Int
    @Option(help: "Trial index within the study.") var trial: Int
    @Option(help: "Trial seed (64-bit unsigned).") var seed: UInt64
    @Option(help: "Hyperparameters as a JSON object of numbers.") var hyperparameters: String
    @Option(help: "Multiplier on the workload's max_runtime_s.") var budgetScale: Double = 1
    @Option(help: "OpenBLAS threads.") var threads: Int = 1
    @Option(help: "Evaluate every N steps instead of every eval_period_s (bit-for-bit reproducible evaluations).")
    var evalEverySteps: Int?
    @Option(help: "Trial file to write.") var output: String
    @Flag(help: "Train for the whole budget even after the target is met (calibration).") var noTargetStop = false

    mutating func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard budgetScale > 0, budgetScale.isFinite else { throw ValidationError("--budget-scale must be a positive number, got \(budgetScale)") }
        guard !ruleset.isEmpty, ruleset.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) else {
            throw ValidationError("--ruleset must be external, self, or another lower-case name such as calibration_tuning; got '\(ruleset)'")
        }
        guard study >= 0, trial >= 0 else { throw ValidationError("--study and --trial must be non-negative") }
        if let n = evalEverySteps, n < 1 { throw ValidationError("--eval-every-steps must be at least 1, got \(n)") }
    }

    mutating func run() throws {
        BLAS.setThreadCount(threads)
        let spec = try SpecCatalog(directory: workloadsDir).spec(named: workload)
        let request = TrialRequest(
            key: TrialKey(submission: submission, workload: workload, ruleset: ruleset, study: study, trial: trial),
            hyperparameters: try Self.parseHyperparameters(hyperparameters), seed: seed, budgetScale: budgetScale,
            stopAtTarget: !noTargetStop)
        let record = try TrialExecution.run(
            request, spec: spec, provenance: ProvenanceCollector.current(),
            schedule: evalEverySteps.map { .steps(period: $0) })
        try TrialFile.write(record, provenance: ProvenanceCollector.current(), to: output)
    }

    /// Parses `--hyperparameters`, naming the argument in errors.
    static func parseHyperparameters(_ text: String) throws -> Hyperparameters {
        let value = try JSONValue.parse(Data(text.utf8), source: "--hyperparameters")
        guard case .object(let fields) = value else {
            throw InputError(source: "--hyperparameters", field: nil, message: "must be a JSON object of numbers, found \(value.typeName)")
        }
        var result: [String: Double] = [:]
        for (name, field) in fields {
            guard case .number(let x) = field else {
                throw InputError(source: "--hyperparameters", field: name, message: "must be a number, found \(field.typeName)")
            }
            result[name] = x
        }
        return Hyperparameters(result)
    }
}
