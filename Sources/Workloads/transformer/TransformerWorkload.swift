import Core
import NN
import Tensor

/// Next-token prediction on the seeded synthetic language (`SyntheticLanguage`) with a
/// small decoder-only transformer (`TransformerModel`).
///
/// Data: fixed training, validation and test sets of sequences of `context_length + 1`
/// tokens, each sequence generated from the language's start state with its own seed
/// (`StableHash.seed("transformer.sequence", data_seed, split, index)`), so changing a set's
/// size never changes its first sequences. Training batches are sequences in reshuffled
/// epochs. Loss: softmax cross-entropy, mean over predicted tokens (nats). Hessian-vector
/// products: central finite differences of gradients (`finiteDifferenceHessianVectorProduct`).
///
/// Metric (minimise): validation cross-entropy in nats per token; its floor is
/// `bayes_limit_nats`, the exact expected cross-entropy of the true conditional model on
/// these windows, so a target reads as a margin over the limit.
public final class TransformerWorkload: Workload {
    public typealias Batch = TokenBatch

    /// Training sequences in reshuffled epochs.
    public final class Stream: DataStream {
        private var sampler: EpochSampler
        private let train: TokenBatch

        init(train: TokenBatch, seed: UInt64) {
            self.train = train
            sampler = EpochSampler(count: train.count, seed: seed)
        }

        public func nextBatch(size: Int) -> TokenBatch { train.gathering(sampler.next(size)) }
    }

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let settings: TransformerSettings
    public let language: SyntheticLanguage
    public let trainingSet: TokenBatch
    public let validationSet: TokenBatch
    public let testSet: TokenBatch
    let model: TransformerModel
    private let trainSubset: TokenBatch

    /// Builds the language, the data sets and the model described by `spec`.
    public init(spec: WorkloadSpec) throws {
        let settings = try TransformerSettings(spec: spec)
        self.spec = spec
        self.settings = settings
        language = settings.makeLanguage()
        trainingSet = Self.sequences(language, settings, "train", settings.trainSequences)
        validationSet = Self.sequences(language, settings, "validation", settings.validationSequences)
        testSet = Self.sequences(language, settings, "test", settings.testSequences)
        trainSubset = trainingSet.slice(0..<settings.trainEvalSequences)
        model = TransformerModel(settings: settings)
        info = WorkloadInfo(
            name: spec.name, layout: model.layout, lossType: .softmaxCrossEntropy,
            defaultBatchSize: spec.defaultBatchSize, stepHint: spec.stepHint, trainingExamples: settings.trainSequences)
    }

    /// `count` sequences of `split`, each of `context_length + 1` tokens from its own seed.
    static func sequences(_ language: SyntheticLanguage, _ settings: TransformerSettings, _ split: String, _ count: Int) -> TokenBatch {
        let length = settings.contextLength + 1
        var tokens = [Int32]()
        tokens.reserveCapacity(count * length)
        for index in 0..<count {
            var generator = RandomGenerator(seed: sequenceSeed(dataSeed: settings.dataSeed, split: split, index: index))
            tokens.append(contentsOf: language.sample(length: length, using: &generator))
        }
        return TokenBatch(count: count, length: length, tokens: tokens)
    }

    /// The seed of sequence `index` of `split`.
    static func sequenceSeed(dataSeed: UInt64, split: String, index: Int) -> UInt64 {
        StableHash.seed("transformer.sequence", .integer(Int(truncatingIfNeeded: dataSeed)), .text(split), .integer(index))
    }

    /// The floor of the validation metric (exact): see `SyntheticLanguage.bayesCrossEntropy`.
    public var bayesLimit: Double { language.bayesCrossEntropy(predictions: settings.contextLength) }

    /// The true conditional model's mean cross-entropy on `batch` (nats per predicted token).
    public func trueModelCrossEntropy(_ batch: TokenBatch) -> Double {
        var total = 0.0
        for b in 0..<batch.count {
            total += language.trueNegativeLogLikelihood(of: Array(batch.tokens[(b * batch.length)..<((b + 1) * batch.length)]))
        }
        return total / Double(batch.predictions)
    }

    public func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "transformer.init"))
        return model.initialParameters(using: &generator)
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(train: trainingSet, seed: StableHash.derive(seed, "transformer.stream"))
    }

    public func lossAndGradient(_ parameters: ParameterSet, batch: TokenBatch, into gradient: inout ParameterSet) -> Float {
        model.lossAndGradient(parameters, batch, into: &gradient)
    }

    public func loss(_ parameters: ParameterSet, batch: TokenBatch) -> Float {
        model.loss(parameters, batch)
    }

    public func hessianVectorProduct(_ parameters: ParameterSet, batch: TokenBatch, vector: ParameterSet, into result: inout ParameterSet) {
        finiteDifferenceHessianVectorProduct(parameters, batch: batch, vector: vector, into: &result)
    }

    /// Mean cross-entropy (nats per token) on the first `train_eval_sequences` training
    /// sequences, the validation set and the test set.
    public func evaluate(_ parameters: ParameterSet) -> Metrics {
        Metrics(
            trainLoss: model.meanLoss(parameters, trainSubset),
            validationMetric: model.meanLoss(parameters, validationSet),
            testMetric: model.meanLoss(parameters, testSet))
    }

    public func validationMetric(_ parameters: ParameterSet) -> Double { model.meanLoss(parameters, validationSet) }
}
