/// A workload's numbers, loaded from `workloads/<name>.json`: sizes, metric, targets,
/// budget, and its held-out variants.
public struct WorkloadSpec: Sendable, Equatable {
    /// Workload name (the base name; variants carry `variantOf`).
    public var name: String
    /// The base workload's name when this spec is a variant.
    public var variantOf: String?
    /// Workload-specific data and model settings (sizes, condition number, ...).
    public var settings: [String: JSONValue]
    public var defaultBatchSize: Int
    public var lossType: LossType
    /// Name of the validation/test metric (e.g. "mse", "accuracy").
    public var metric: String
    public var direction: MetricDirection
    public var validationTarget: Double
    public var testTarget: Double
    public var maxRuntimeSeconds: Double
    public var evalPeriodSeconds: Double
    public var stepHint: Int
    /// True until `optbench calibrate` has set targets and budget from tuned baselines.
    public var provisional: Bool
    /// How the calibrated numbers were found (`nil` while provisional, and for specs
    /// written by hand).
    public var calibration: CalibrationRecord?
    /// Held-out variants, already resolved (each a complete spec).
    public var variants: [WorkloadSpec]
    /// Where the spec was read from, for error messages ("workloads/regression.json").
    public var source: String

    public init(
        name: String, variantOf: String? = nil, settings: [String: JSONValue], defaultBatchSize: Int,
        lossType: LossType, metric: String, direction: MetricDirection, validationTarget: Double,
        testTarget: Double, maxRuntimeSeconds: Double, evalPeriodSeconds: Double, stepHint: Int,
        provisional: Bool, calibration: CalibrationRecord? = nil, variants: [WorkloadSpec] = [], source: String = "spec"
    ) {
        self.name = name
        self.variantOf = variantOf
        self.settings = settings
        self.defaultBatchSize = defaultBatchSize
        self.lossType = lossType
        self.metric = metric
        self.direction = direction
        self.validationTarget = validationTarget
        self.testTarget = testTarget
        self.maxRuntimeSeconds = maxRuntimeSeconds
        self.evalPeriodSeconds = evalPeriodSeconds
        self.stepHint = stepHint
        self.provisional = provisional
        self.calibration = calibration
        self.variants = variants
        self.source = source
    }

    /// The bounds every number of a spec is checked against when loaded, the base's and
    /// each variant's alike, so no number reaches a conversion or a budget unchecked.
    public enum Bounds {
        /// `default_batch_size`.
        public static let batchSize = 1...1_000_000
        /// `step_hint`.
        public static let stepHint = 1...Int(Int32.max)
        /// The largest `max_runtime_s` and `eval_period_s`, in seconds (about 116 days).
        public static let maximumSeconds = 1e7
    }

    /// The trial budget this spec grants, scaled (profiles and the self-tuning ruleset scale it).
    /// The step hint is the workload's and is not scaled: as under AlgoPerf, a ruleset's
    /// extra time is the submission's to use, not a longer schedule handed to it.
    public func budget(scale: Double = 1) -> Budget {
        Budget(maxRuntimeSeconds: maxRuntimeSeconds * scale, stepHint: stepHint)
    }

    /// The budget of a calibration search over `scale` × `max_runtime_s`: the step hint
    /// scaled with the time, so that the baselines' schedules (warmup and cosine decay
    /// over the hint's steps) span the search rather than ending at the spec's own budget
    /// and leaving the rest of the search at a learning rate of zero. Spans it when
    /// `step_hint` is the steps this machine takes in `max_runtime_s`, as calibration writes it.
    public func searchBudget(scale: Double) -> Budget {
        let steps = (Double(stepHint) * scale).rounded()
        return Budget(maxRuntimeSeconds: maxRuntimeSeconds * scale, stepHint: Int(min(max(steps, 1), Double(Bounds.stepHint.upperBound))))
    }
}
