import Core

/// How a trial ended.
public enum TrialStatus: String, Sendable, Codable, CaseIterable {
    /// The validation target was met at an evaluation.
    case reachedTarget = "reached_target"
    /// The submission-time budget ran out first.
    case budgetExhausted = "budget_exhausted"
    /// The training loss became non-finite.
    case diverged
    /// The submission threw an error (its message is recorded).
    case error
    /// The trial's process died (signal or abnormal exit), recorded by the parent.
    case crashed
}

/// Where and with what a result was produced; stored as root attributes of every file.
public struct Provenance: Sendable, Equatable, Codable {
    public var schemaVersion: Int
    public var toolVersion: String
    public var gitCommit: String
    public var commandLine: String
    public var host: String
    public var cpu: String
    public var cores: Int
    public var blas: String
    public var blasThreads: Int
    public var swiftVersion: String
    /// ISO 8601 creation time (UTC).
    public var created: String

    public init(
        schemaVersion: Int, toolVersion: String, gitCommit: String, commandLine: String, host: String, cpu: String,
        cores: Int, blas: String, blasThreads: Int, swiftVersion: String, created: String
    ) {
        self.schemaVersion = schemaVersion
        self.toolVersion = toolVersion
        self.gitCommit = gitCommit
        self.commandLine = commandLine
        self.host = host
        self.cpu = cpu
        self.cores = cores
        self.blas = blas
        self.blasThreads = blasThreads
        self.swiftVersion = swiftVersion
        self.created = created
    }
}

/// One row of a trial's evaluation table.
public struct EvaluationRow: Sendable, Equatable, Codable {
    public var step: Int
    /// Accumulated submission time (the clock targets are judged on), seconds.
    public var submissionTime: Double
    /// Wall time since the trial started, seconds (includes evaluation and logging).
    public var wallTime: Double
    /// Training examples drawn and oracle calls so far; nil where the run did not record
    /// them (trials imported from AlgoPerf), never a made-up zero.
    public var examples: Int?
    public var gradientEvaluations: Int?
    public var hessianVectorProducts: Int?
    public var functionEvaluations: Int?
    public var trainLoss: Double
    public var validationMetric: Double
    public var testMetric: Double

    /// A row; `counts` nil when the run did not record them.
    public init(
        step: Int, submissionTime: Double, wallTime: Double, counts: OracleCounts?, metrics: Metrics
    ) {
        self.step = step
        self.submissionTime = submissionTime
        self.wallTime = wallTime
        self.examples = counts?.examples
        self.gradientEvaluations = counts?.gradientEvaluations
        self.hessianVectorProducts = counts?.hessianVectorProducts
        self.functionEvaluations = counts?.functionEvaluations
        self.trainLoss = metrics.trainLoss
        self.validationMetric = metrics.validationMetric
        self.testMetric = metrics.testMetric
    }

    /// Gradient evaluations + HVPs + function evaluations at this row, saturating at
    /// `Int.max` (readers cap each count at `TrialRecord.countLimit`, so a stored row
    /// never gets there; the sum still cannot trap on a row built in memory); nil when
    /// any of them was not recorded.
    public var oracleCalls: Int? {
        guard let gradientEvaluations, let hessianVectorProducts, let functionEvaluations else { return nil }
        return [hessianVectorProducts, functionEvaluations].reduce(gradientEvaluations) { sum, count in
            let (total, overflow) = sum.addingReportingOverflow(count)
            return overflow ? (count < 0 ? Int.min : Int.max) : total
        }
    }
}

/// The workload facts a trial was judged against (a copy of the spec's numbers).
public struct WorkloadRecord: Sendable, Equatable, Codable {
    public var name: String
    /// The base workload when this is a held-out variant, else nil.
    public var variantOf: String?
    public var metric: String
    public var direction: MetricDirection
    public var validationTarget: Double
    public var testTarget: Double
    public var maxRuntimeSeconds: Double
    public var evalPeriodSeconds: Double
    public var stepHint: Int

    public init(
        name: String, variantOf: String?, metric: String, direction: MetricDirection, validationTarget: Double,
        testTarget: Double, maxRuntimeSeconds: Double, evalPeriodSeconds: Double, stepHint: Int
    ) {
        self.name = name
        self.variantOf = variantOf
        self.metric = metric
        self.direction = direction
        self.validationTarget = validationTarget
        self.testTarget = testTarget
        self.maxRuntimeSeconds = maxRuntimeSeconds
        self.evalPeriodSeconds = evalPeriodSeconds
        self.stepHint = stepHint
    }
}

/// Which trial of which study of which ruleset: the address of a trial in a results file.
public struct TrialKey: Sendable, Hashable, Codable, Comparable {
    public var submission: String
    public var workload: String
    /// "external" or "self".
    public var ruleset: String
    public var study: Int
    public var trial: Int

    public init(submission: String, workload: String, ruleset: String, study: Int, trial: Int) {
        self.submission = submission
        self.workload = workload
        self.ruleset = ruleset
        self.study = study
        self.trial = trial
    }

    public static func < (a: TrialKey, b: TrialKey) -> Bool {
        (a.ruleset, a.submission, a.workload, a.study, a.trial) < (b.ruleset, b.submission, b.workload, b.study, b.trial)
    }
}

/// Everything recorded about one trial: the unit written to (and read from) HDF5.
public struct TrialRecord: Sendable, Equatable {
    /// The largest count (steps, examples, oracle calls) a reader accepts: 2⁶⁰, so that
    /// sums of a few counts cannot overflow 64 bits.
    public static let countLimit = 1 << 60

    public var key: TrialKey
    public var workload: WorkloadRecord
    public var hyperparameters: Hyperparameters
    public var seed: UInt64
    public var status: TrialStatus
    /// The error or crash message, empty when none.
    public var message: String
    /// Submission time of the first evaluation meeting the validation target, else nil.
    public var timeToTarget: Double?
    public var stepsToTarget: Int?
    public var oracleCallsToTarget: Int?
    /// Optimizer-state bytes the submission reported; nil when not recorded (imported).
    public var stateBytes: Int?
    /// Peak resident memory of the trial process, bytes; nil when not recorded (imported).
    public var peakResidentBytes: Int?
    public var evaluations: [EvaluationRow]
    /// Per-step training loss, decimated: (step, loss) pairs.
    public var trainLossSteps: [Int]
    public var trainLossValues: [Float]
    /// Multiplier applied to the workload's `max_runtime_s` for this trial (profile scale
    /// times the ruleset's factor), so a shortened run is never mistaken for a full one.
    public var budgetScale: Double
    /// The step budget the trial ran under (`--max-steps`), which replaces the time budget
    /// as the stopping rule; nil when the trial ran under the time budget.
    public var maximumSteps: Int?
    /// The evaluation period in steps (`--eval-every-steps`); nil when evaluations were
    /// scheduled every `eval_period_s` of submission time.
    public var evalEverySteps: Int?
    /// Whether the trial stopped at the validation target (false for calibration runs,
    /// which train for the whole budget).
    public var stopAtTarget: Bool
    /// Earlier attempts at this trial that did not produce a result, oldest first, each
    /// as "<status>: <message's first line>", e.g. "crashed: trial process killed by signal 9".
    public var history: [String]
    /// The ratio of the geometric `SnapshotGrid` the time to target was refined on (see
    /// `TrialRunner`); nil when only periodic evaluations were made (files written before
    /// snapshots existed, step-scheduled trials, imported trials).
    public var snapshotRatio: Double?

    public init(
        key: TrialKey, workload: WorkloadRecord, hyperparameters: Hyperparameters, seed: UInt64, status: TrialStatus,
        message: String, timeToTarget: Double?, stepsToTarget: Int?, oracleCallsToTarget: Int?, stateBytes: Int?,
        peakResidentBytes: Int?, evaluations: [EvaluationRow], trainLossSteps: [Int], trainLossValues: [Float],
        budgetScale: Double = 1, maximumSteps: Int? = nil, evalEverySteps: Int? = nil, stopAtTarget: Bool = true,
        history: [String] = [], snapshotRatio: Double? = nil
    ) {
        precondition(trainLossSteps.count == trainLossValues.count, "TrialRecord: train-loss steps and values differ in length")
        self.key = key
        self.workload = workload
        self.hyperparameters = hyperparameters
        self.seed = seed
        self.status = status
        self.message = message
        self.timeToTarget = timeToTarget
        self.stepsToTarget = stepsToTarget
        self.oracleCallsToTarget = oracleCallsToTarget
        self.stateBytes = stateBytes
        self.peakResidentBytes = peakResidentBytes
        self.evaluations = evaluations
        self.trainLossSteps = trainLossSteps
        self.trainLossValues = trainLossValues
        self.budgetScale = budgetScale
        self.maximumSteps = maximumSteps
        self.evalEverySteps = evalEverySteps
        self.stopAtTarget = stopAtTarget
        self.history = history
        self.snapshotRatio = snapshotRatio
    }
}
