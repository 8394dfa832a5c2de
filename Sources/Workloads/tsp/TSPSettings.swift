import Core

/// The settings of the `tsp` workload, read strictly from its spec.
///
/// | key | meaning |
/// |---|---|
/// | `cities` | cities per instance (uniform in the unit square) |
/// | `data_seed` | seed of the validation, test and train-evaluation instances and of the training stream |
/// | `validation_instances`, `test_instances` | fixed evaluation sets (their optimal lengths are in the reference file) |
/// | `train_eval_instances` | fixed training-distribution instances whose greedy tour length `evaluate` reports as train loss |
/// | `reference_file` | the stored Held–Karp optima, relative to the spec's folder (`references/tsp.json`) |
/// | `embedding_dim`, `heads` | encoder width and attention heads (heads divide the width) |
/// | `encoder_layers` | pre-LayerNorm encoder layers (unmasked self-attention + GELU feed-forward) |
/// | `feedforward_dim` | hidden width of the encoder feed-forward blocks |
/// | `logit_clip` | C in the pointer logits `C·tanh(q·k/√d)`; 0 = unclipped `q·k/√d` |
/// | `baseline` | `pomo`: each instance's mean tour length over its `cities` rollouts (POMO's shared baseline); `batch`: the mean over every rollout of the batch |
public struct TSPSettings: Sendable, Equatable {
    public enum Baseline: String, Sendable { case pomo, batch }

    public var cities: Int
    public var dataSeed: UInt64
    public var validationInstances: Int
    public var testInstances: Int
    public var trainEvalInstances: Int
    public var referenceFile: String
    public var encoder: AttentionEncoderSettings
    public var logitClip: Double
    public var baseline: Baseline

    public init(spec: WorkloadSpec) throws {
        var reader = try spec.settingsReader()
        cities = try reader.integer("cities", in: 3...HeldKarp.maximumCities)
        dataSeed = UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max)))
        validationInstances = try reader.integer("validation_instances", in: 1...1_000_000)
        testInstances = try reader.integer("test_instances", in: 1...1_000_000)
        trainEvalInstances = try reader.integer("train_eval_instances", in: 1...1_000_000)
        referenceFile = try reader.string("reference_file")
        encoder = try AttentionEncoderSettings(reading: &reader)
        logitClip = try reader.number("logit_clip")
        guard logitClip >= 0 && logitClip.isFinite else {
            throw InputError(source: spec.source, field: reader.fieldPath("logit_clip"), message: "must be a finite number ≥ 0, found \(logitClip)")
        }
        baseline = Baseline(rawValue: try reader.choice("baseline", ["pomo", "batch"])) ?? .pomo
        try reader.finish()
    }
}
