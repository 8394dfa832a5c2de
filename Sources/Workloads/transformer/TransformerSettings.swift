import Core
import Tensor

/// The data and model settings of the `transformer` workload, read strictly from its spec.
///
/// | key | meaning |
/// |---|---|
/// | `vocabulary_size` | tokens, including the repeat marker |
/// | `markov_order` | order k of the sparse Markov source |
/// | `branching` | successors per Markov context |
/// | `branch_decay` | successor probabilities ∝ decay^i (1 = uniform) |
/// | `repeat_probability` | ρ: chance that a free step emits the marker and starts a repeat |
/// | `repeat_length` | L: tokens repeated after a marker (the L tokens before it) |
/// | `context_length` | T: tokens the model predicts per sequence (sequences hold T + 1 tokens) |
/// | `train_sequences`, `validation_sequences`, `test_sequences` | fixed data-set sizes |
/// | `train_eval_sequences` | training sequences whose loss `evaluate` reports |
/// | `data_seed` | seed of the Markov table and of every sequence |
/// | `entropy_rate_nats` | the language's stationary entropy rate, stated for readers; checked against the exact value on load |
/// | `bayes_limit_nats` | the floor of the validation metric: the true model's expected cross-entropy on windows of T predictions from a sequence start (slightly above the rate); checked on load |
/// | `layers`, `d_model`, `heads`, `mlp_ratio`, `norm_position`, `mlp` | the model: see `TransformerArchitecture` |
public struct TransformerSettings: Sendable, Equatable {
    public typealias NormPosition = TransformerArchitecture.NormPosition
    public typealias MLPKind = TransformerArchitecture.MLPKind

    public var vocabularySize: Int
    public var markovOrder: Int
    public var branching: Int
    public var branchDecay: Double
    public var repeatProbability: Double
    public var repeatLength: Int
    public var contextLength: Int
    public var trainSequences: Int
    public var validationSequences: Int
    public var testSequences: Int
    public var trainEvalSequences: Int
    public var dataSeed: UInt64
    public var entropyRate: Double
    public var bayesLimit: Double
    /// The model's shape (vocabulary and context from the keys above).
    public var architecture: TransformerArchitecture

    /// Stated entropies must match the computed ones to this absolute tolerance (nats).
    public static let statedEntropyTolerance = 5e-5

    /// Reads every setting of `spec`, rejects unknown keys and checks the stated entropies.
    public init(spec: WorkloadSpec) throws {
        var reader = try spec.settingsReader()
        func fail(_ key: String, _ message: String) -> InputError {
            InputError(source: spec.source, field: reader.fieldPath(key), message: message)
        }
        vocabularySize = try reader.integer("vocabulary_size", in: 3...65536)
        markovOrder = try reader.integer("markov_order", in: 1...8)
        branching = try reader.integer("branching", in: 1...65535)
        guard branching < vocabularySize else { throw fail("branching", "must be below vocabulary_size (\(vocabularySize)), found \(branching)") }
        branchDecay = try reader.positiveNumber("branch_decay")
        guard branchDecay <= 1 else { throw fail("branch_decay", "must be in (0, 1], found \(branchDecay)") }
        repeatProbability = try reader.number("repeat_probability")
        guard repeatProbability >= 0 && repeatProbability < 1 else { throw fail("repeat_probability", "must be in [0, 1), found \(repeatProbability)") }
        repeatLength = try reader.integer("repeat_length", in: 1...4096)
        contextLength = try reader.integer("context_length", in: 1...4096)
        trainSequences = try reader.integer("train_sequences", in: 1...10_000_000)
        validationSequences = try reader.integer("validation_sequences", in: 1...10_000_000)
        testSequences = try reader.integer("test_sequences", in: 1...10_000_000)
        trainEvalSequences = try reader.integer("train_eval_sequences", in: 1...10_000_000)
        guard trainEvalSequences <= trainSequences else {
            throw fail("train_eval_sequences", "must be ≤ train_sequences (\(trainSequences)), found \(trainEvalSequences)")
        }
        dataSeed = UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max)))
        guard SyntheticLanguage.contextCount(ordinary: vocabularySize - 1, order: markovOrder) <= 1 << 22 else {
            throw fail("markov_order", "gives (vocabulary_size − 1)^markov_order > 2²² Markov contexts; lower one of them")
        }
        entropyRate = try reader.positiveNumber("entropy_rate_nats")
        bayesLimit = try reader.positiveNumber("bayes_limit_nats")
        architecture = try TransformerArchitecture(
            reading: &reader, source: spec.source, vocabularySize: vocabularySize, contextLength: contextLength)
        try reader.finish()

        let language = makeLanguage()
        let exactRate = language.entropyRate, exactLimit = language.bayesCrossEntropy(predictions: contextLength)
        guard abs(entropyRate - exactRate) <= Self.statedEntropyTolerance else {
            throw InputError(source: spec.source, field: reader.fieldPath("entropy_rate_nats"),
                             message: "states \(entropyRate), but the language's exact entropy rate is \(exactRate) nats per token")
        }
        guard abs(bayesLimit - exactLimit) <= Self.statedEntropyTolerance else {
            throw InputError(source: spec.source, field: reader.fieldPath("bayes_limit_nats"),
                             message: "states \(bayesLimit), but the true model's expected cross-entropy over \(contextLength) predictions is \(exactLimit) nats per token")
        }
    }

    /// The synthetic language these settings describe.
    public func makeLanguage() -> SyntheticLanguage {
        SyntheticLanguage(
            vocabularySize: vocabularySize, order: markovOrder, branching: branching, branchDecay: branchDecay,
            repeatProbability: repeatProbability, repeatLength: repeatLength,
            seed: StableHash.derive(dataSeed, "transformer.language"))
    }

    public var layers: Int { architecture.layers }
    public var modelDimension: Int { architecture.modelDimension }
    public var heads: Int { architecture.heads }
    public var mlpRatio: Int { architecture.mlpRatio }
    public var normPosition: NormPosition { architecture.normPosition }
    public var mlp: MLPKind { architecture.mlp }
    public var mlpHiddenWidth: Int { architecture.mlpHiddenWidth }
}
