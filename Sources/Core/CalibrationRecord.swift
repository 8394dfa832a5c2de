/// How a spec's calibrated numbers were found: the `calibration` block that
/// `optbench calibrate --write` adds to a base workload or a variant. Only the fields the
/// tools show are read (and type-checked); the block's other keys (the procedure's text,
/// the best hyperparameters, the machine's BLAS) are provenance for people and are kept
/// in the file as written.
public struct CalibrationRecord: Sendable, Equatable {
    /// The baseline whose tuned configuration set the targets.
    public var bestSubmission: String
    /// Quasi-random tuning trials per baseline.
    public var tuningTrials: Int
    /// Reruns of the best configuration with fresh seeds.
    public var reruns: Int
    /// The search's budget as a multiple of the budget before calibration.
    public var budgetScale: Double
    /// When it ran (ISO 8601, UTC).
    public var date: String
    /// The CPU it ran on, as the results file's provenance names it.
    public var cpu: String

    public init(bestSubmission: String, tuningTrials: Int, reruns: Int, budgetScale: Double, date: String, cpu: String) {
        self.bestSubmission = bestSubmission
        self.tuningTrials = tuningTrials
        self.reruns = reruns
        self.budgetScale = budgetScale
        self.date = date
        self.cpu = cpu
    }

    /// Reads the fields above from a `calibration` object, naming the spec file and field
    /// when one is missing or of the wrong type.
    public init(reading object: JSONObjectReader) throws {
        var reader = object
        bestSubmission = try reader.plainName("best_submission")
        tuningTrials = try reader.integer("tuning_trials", in: 1...1_000_000)
        reruns = try reader.integer("reruns", in: 1...1_000_000)
        budgetScale = try reader.positiveNumber("budget_scale")
        date = try reader.string("date")
        var machine = try reader.object("machine")
        cpu = try machine.string("cpu")
    }
}
