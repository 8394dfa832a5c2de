import Core
import Foundation
import Results
import Submissions
import Tensor
import Workloads

/// Everything needed to run one trial by name: what `optbench trial` receives, from
/// `optbench run` or from a cluster job array.
public struct TrialRequest: Sendable, Equatable {
    public var key: TrialKey
    public var hyperparameters: Hyperparameters
    public var seed: UInt64
    /// Multiplier on the spec's `max_runtime_s` (profiles and the self-tuning ruleset).
    public var budgetScale: Double
    /// False for calibration: train for the whole budget, noting when the target was met.
    public var stopAtTarget: Bool

    public init(key: TrialKey, hyperparameters: Hyperparameters, seed: UInt64, budgetScale: Double, stopAtTarget: Bool = true) {
        self.key = key
        self.hyperparameters = hyperparameters
        self.seed = seed
        self.budgetScale = budgetScale
        self.stopAtTarget = stopAtTarget
    }
}

/// Runs a trial request against a loaded spec and assembles its record.
public enum TrialExecution {
    /// Runs `request` in this process. Unknown names throw; failures inside the trial
    /// are statuses in the returned record.
    public static func run(
        _ request: TrialRequest, spec: WorkloadSpec, provenance: Provenance,
        schedule: EvaluationSchedule? = nil, maximumSteps: Int? = nil
    ) throws -> TrialRecord {
        let submission = try SubmissionRegistry.submission(named: request.key.submission)
        let workload = try WorkloadRegistry.make(spec)
        let budget = spec.budget(scale: request.budgetScale)
        let outcome = TrialRunner.run(
            workload: workload, submission: submission, hyperparameters: request.hyperparameters,
            seed: request.seed, budget: budget,
            schedule: schedule ?? .submissionTime(period: spec.evalPeriodSeconds * request.budgetScale),
            maximumSteps: maximumSteps, stopAtTarget: request.stopAtTarget)
        return record(for: request, spec: spec, outcome: outcome, peakResidentBytes: ResourceUsage.peakResidentBytes)
    }

    /// The record of a trial whose process died before writing its own.
    public static func crashedRecord(for request: TrialRequest, spec: WorkloadSpec, message: String) -> TrialRecord {
        let outcome = TrialOutcome(
            status: .crashed, message: message, evaluations: [], lossLog: LossLog(), timeToTarget: nil,
            stepsToTarget: nil, oracleCallsToTarget: nil, stateBytes: 0, steps: 0)
        return record(for: request, spec: spec, outcome: outcome, peakResidentBytes: 0)
    }

    /// The workload facts a record carries.
    public static func workloadRecord(_ spec: WorkloadSpec) -> WorkloadRecord {
        WorkloadRecord(
            name: spec.name, variantOf: spec.variantOf, metric: spec.metric, direction: spec.direction,
            validationTarget: spec.validationTarget, testTarget: spec.testTarget,
            maxRuntimeSeconds: spec.maxRuntimeSeconds, evalPeriodSeconds: spec.evalPeriodSeconds, stepHint: spec.stepHint)
    }

    static func record(for request: TrialRequest, spec: WorkloadSpec, outcome: TrialOutcome, peakResidentBytes: Int) -> TrialRecord {
        TrialRecord(
            key: request.key, workload: workloadRecord(spec), hyperparameters: request.hyperparameters,
            seed: request.seed, status: outcome.status, message: outcome.message, timeToTarget: outcome.timeToTarget,
            stepsToTarget: outcome.stepsToTarget, oracleCallsToTarget: outcome.oracleCallsToTarget,
            stateBytes: outcome.stateBytes, peakResidentBytes: peakResidentBytes, evaluations: outcome.evaluations,
            trainLossSteps: outcome.lossLog.steps, trainLossValues: outcome.lossLog.losses,
            budgetScale: request.budgetScale)
    }
}
