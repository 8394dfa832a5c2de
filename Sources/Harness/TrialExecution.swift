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
    /// False for calibration: train for the whole budget, noting when the target was met,
    /// with the step hint scaled like the budget (`budget(on:)`).
    public var stopAtTarget: Bool
    /// A step budget that replaces the time budget as the stopping rule; nil: the time budget.
    public var maximumSteps: Int?
    /// Evaluate every this many steps; nil: every `eval_period_s` × `budgetScale` of submission time.
    public var evalEverySteps: Int?

    public init(
        key: TrialKey, hyperparameters: Hyperparameters, seed: UInt64, budgetScale: Double, stopAtTarget: Bool = true,
        maximumSteps: Int? = nil, evalEverySteps: Int? = nil
    ) {
        self.key = key
        self.hyperparameters = hyperparameters
        self.seed = seed
        self.budgetScale = budgetScale
        self.stopAtTarget = stopAtTarget
        self.maximumSteps = maximumSteps
        self.evalEverySteps = evalEverySteps
    }

    /// When this trial evaluates on `spec`: every `evalEverySteps` steps when asked
    /// (reproducibility checks); for a scored trial (timed, stopping at the target), every
    /// `stepPeriod(on:)` steps; for a calibration trial, every `eval_period_s` ×
    /// `budgetScale` of submission time.
    ///
    /// A scored trial evaluates on steps, not on seconds, so that the steps it evaluates
    /// (and keeps snapshots at) are the same in every run of the same seed: which step
    /// first meets the target is then a property of the trajectory, and only the seconds
    /// the steps took vary with the machine. On the clock, a noisy metric sampled at
    /// steps that depend on the machine's load crossed its target at steps up to 1.8×
    /// apart between two runs of one binary (tsp × Shampoo: 273 and 494 steps).
    public func schedule(on spec: WorkloadSpec) -> EvaluationSchedule {
        if let steps = evalEverySteps { return .steps(period: steps) }
        return refinesOnSnapshots ? .steps(period: stepPeriod(on: spec)) : .submissionTime(period: spec.evalPeriodSeconds * budgetScale)
    }

    /// `eval_period_s` × `budgetScale` in steps at the spec's calibrated rate (`step_hint`
    /// steps per `max_runtime_s`), at least 1: as often, in the calibrated baseline's
    /// steps, as the clock would evaluate it.
    public func stepPeriod(on spec: WorkloadSpec) -> Int {
        let steps = spec.evalPeriodSeconds * budgetScale * Double(spec.stepHint) / spec.maxRuntimeSeconds
        return steps.isFinite ? max(1, Int(min(steps, 1e9).rounded())) : 1
    }

    /// The snapshots this trial refines its time to target on: the standard grid in
    /// steps (from a tenth of the step hint × `budgetScale`) when it is a scored trial.
    /// None when evaluations fall on steps the user chose (reproducibility checks, where
    /// the rows must be the same in every run), nor for calibration trials, which are
    /// judged against a target not known while they run, and whose evaluation rows
    /// measure the cost of an evaluation.
    public func snapshots(on spec: WorkloadSpec) -> SnapshotGrid? {
        refinesOnSnapshots ? .standard(budgetSteps: Double(spec.stepHint) * budgetScale) : nil
    }

    /// The budget the submission is given on `spec`: the spec's, scaled, for a trial that
    /// stops at its target; for a calibration trial, which trains through its whole budget,
    /// the search budget (`WorkloadSpec.searchBudget(scale:)`), whose step hint is scaled too.
    public func budget(on spec: WorkloadSpec) -> Budget {
        stopAtTarget ? spec.budget(scale: budgetScale) : spec.searchBudget(scale: budgetScale)
    }

    /// A scored trial: timed, stopping at the target, on the runner's own schedule.
    var refinesOnSnapshots: Bool { evalEverySteps == nil && stopAtTarget }

    /// The `snapshot_ratio` a record of this request carries.
    var snapshotRatio: Double? { refinesOnSnapshots ? SnapshotGrid.standardRatio : nil }

    /// The `eval_every_steps` a record of this request carries: the step period it
    /// evaluated on (asked for, or derived for a scored trial); nil when on the clock.
    func recordedEvalEverySteps(on spec: WorkloadSpec) -> Int? {
        if case .steps(let period) = schedule(on: spec) { period } else { nil }
    }
}

/// Runs a trial request against a loaded spec and assembles its record.
public enum TrialExecution {
    /// Exit status of `optbench trial` when it cannot write its trial file (EX_IOERR from
    /// sysexits.h: a full disk, a file-size limit, a folder it may not write into). The
    /// suite runner records no `crashed` trial for it, so a rerun retries the trial.
    public static let cannotWriteExitStatus: Int32 = 74

    /// Runs `request` in this process. Unknown names throw; failures inside the trial
    /// are statuses in the returned record. `history` lists earlier attempts that left no
    /// result (see `TrialRecord.history`).
    public static func run(
        _ request: TrialRequest, spec: WorkloadSpec, provenance: Provenance, history: [String] = []
    ) throws -> TrialRecord {
        let submission = try SubmissionRegistry.submission(named: request.key.submission)
        let workload = try WorkloadRegistry.make(spec)
        let budget = request.budget(on: spec)
        let outcome = TrialRunner.run(
            workload: workload, submission: submission, hyperparameters: request.hyperparameters,
            seed: request.seed, budget: budget, schedule: request.schedule(on: spec), maximumSteps: request.maximumSteps,
            stopAtTarget: request.stopAtTarget, snapshots: request.snapshots(on: spec),
            clock: TrialClock(threads: provenance.blasThreads))
        return record(
            for: request, spec: spec, outcome: outcome, peakResidentBytes: ResourceUsage.peakResidentBytes, history: history)
    }

    /// The record of a trial whose process died before writing its own.
    public static func crashedRecord(
        for request: TrialRequest, spec: WorkloadSpec, message: String, history: [String] = []
    ) -> TrialRecord {
        let outcome = TrialOutcome(
            status: .crashed, message: message, evaluations: [], lossLog: LossLog(), timeToTarget: nil,
            stepsToTarget: nil, oracleCallsToTarget: nil, stateBytes: 0, steps: 0)
        return record(for: request, spec: spec, outcome: outcome, peakResidentBytes: 0, history: history)
    }

    /// Whether `record` is the result of running `request` on `spec` as they stand: the same
    /// hyperparameters, seed, budget scale, stop-at-target rule, step budget, evaluation
    /// schedule, snapshot rule and workload facts (targets, budget, evaluation period, step hint). A rerun
    /// after the plan or a spec changed redoes a trial whose record fails this.
    public static func isRecord(_ record: TrialRecord, of request: TrialRequest, on spec: WorkloadSpec) -> Bool {
        record.key == request.key && record.hyperparameters == request.hyperparameters && record.seed == request.seed
            && record.budgetScale == request.budgetScale && record.stopAtTarget == request.stopAtTarget
            && record.maximumSteps == request.maximumSteps && record.evalEverySteps == request.recordedEvalEverySteps(on: spec)
            && record.snapshotRatio == request.snapshotRatio
            && sameFacts(record.workload, workloadRecord(spec))
    }

    /// Whether two workload records hold the same facts, a NaN equal to a NaN.
    static func sameFacts(_ a: WorkloadRecord, _ b: WorkloadRecord) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        return a.name == b.name && a.variantOf == b.variantOf && a.metric == b.metric && a.direction == b.direction
            && same(a.validationTarget, b.validationTarget) && same(a.testTarget, b.testTarget)
            && same(a.maxRuntimeSeconds, b.maxRuntimeSeconds) && same(a.evalPeriodSeconds, b.evalPeriodSeconds)
            && a.stepHint == b.stepHint
    }

    /// The workload facts a record carries.
    public static func workloadRecord(_ spec: WorkloadSpec) -> WorkloadRecord {
        WorkloadRecord(
            name: spec.name, variantOf: spec.variantOf, metric: spec.metric, direction: spec.direction,
            validationTarget: spec.validationTarget, testTarget: spec.testTarget,
            maxRuntimeSeconds: spec.maxRuntimeSeconds, evalPeriodSeconds: spec.evalPeriodSeconds, stepHint: spec.stepHint)
    }

    static func record(
        for request: TrialRequest, spec: WorkloadSpec, outcome: TrialOutcome, peakResidentBytes: Int, history: [String]
    ) -> TrialRecord {
        TrialRecord(
            key: request.key, workload: workloadRecord(spec), hyperparameters: request.hyperparameters,
            seed: request.seed, status: outcome.status, message: outcome.message, timeToTarget: outcome.timeToTarget,
            stepsToTarget: outcome.stepsToTarget, oracleCallsToTarget: outcome.oracleCallsToTarget,
            stateBytes: outcome.stateBytes, peakResidentBytes: peakResidentBytes, evaluations: outcome.evaluations,
            trainLossSteps: outcome.lossLog.steps, trainLossValues: outcome.lossLog.losses,
            budgetScale: request.budgetScale, maximumSteps: request.maximumSteps, evalEverySteps: request.recordedEvalEverySteps(on: spec),
            stopAtTarget: request.stopAtTarget, history: history, snapshotRatio: request.snapshotRatio)
    }
}
