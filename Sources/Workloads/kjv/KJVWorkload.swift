import Core
import Foundation
import NN
import Tensor

/// A byte-level language model of real English text: the King James Bible (public domain,
/// Debian's `bible-kjv`), 256 byte values as the vocabulary, with the `transformer`
/// workload's decoder-only model (`TransformerModel`). Real data, so no known optimum:
/// the workload is for checking that rankings on the synthetic language transfer to text.
///
/// Data (`ByteCorpus`): the corpus file `make deps` writes, its size and SHA-256 checked
/// on load; the last `test_bytes` are the test block, the `validation_bytes` before them
/// the validation block, the rest the training block. Training batches are windows at
/// random offsets of the training block, drawn from the trial seed; evaluation reads the
/// blocks as consecutive windows. Loss: softmax cross-entropy, mean over predicted bytes
/// (nats). Hessian-vector products: central finite differences of gradients.
///
/// Metric (minimise): bits per byte, the mean cross-entropy over every predicted byte of
/// the block divided by ln 2.
public final class KJVWorkload: Workload {
    public typealias Batch = TokenBatch

    /// Training windows at uniform random offsets (with replacement).
    public final class Stream: DataStream {
        private let corpus: ByteCorpus
        private let contextLength: Int
        private var generator: RandomGenerator

        init(corpus: ByteCorpus, contextLength: Int, seed: UInt64) {
            self.corpus = corpus
            self.contextLength = contextLength
            generator = RandomGenerator(seed: seed)
        }

        public func nextBatch(size: Int) -> TokenBatch {
            corpus.randomTrainingWindows(size, contextLength: contextLength, using: &generator)
        }
    }

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let settings: KJVSettings
    public let corpus: ByteCorpus
    public let validationSet: TokenBatch
    public let testSet: TokenBatch
    let model: TransformerModel
    private let trainSubset: TokenBatch

    /// Reads the corpus and builds the model described by `spec` (a `kjv` spec or a
    /// variant); throws when the corpus is missing or differs from the recorded one.
    public convenience init(spec: WorkloadSpec) throws {
        let settings = try KJVSettings(spec: spec)
        self.init(spec: spec, settings: settings, corpus: try ByteCorpus(settings: settings))
    }

    /// A workload on a given corpus (tests pass generated text).
    init(spec: WorkloadSpec, settings: KJVSettings, corpus: ByteCorpus) {
        self.spec = spec
        self.settings = settings
        self.corpus = corpus
        let t = settings.contextLength
        validationSet = corpus.evaluationWindows(corpus.validation, contextLength: t)
        testSet = corpus.evaluationWindows(corpus.test, contextLength: t)
        trainSubset = corpus.evaluationWindows(corpus.training, contextLength: t, limit: settings.trainEvalWindows)
        model = TransformerModel(architecture: settings.architecture)
        info = WorkloadInfo(
            name: spec.name, layout: model.layout, lossType: .softmaxCrossEntropy,
            defaultBatchSize: spec.defaultBatchSize, stepHint: spec.stepHint, trainingExamples: corpus.training.count - t)
    }

    public func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "kjv.init"))
        return model.initialParameters(using: &generator)
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(corpus: corpus, contextLength: settings.contextLength, seed: StableHash.derive(seed, "kjv.stream"))
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

    /// Bits per byte of a mean cross-entropy in nats.
    public static func bitsPerByte(nats: Double) -> Double { nats / log(2) }

    /// Mean cross-entropy (nats per byte) on the first `train_eval_windows` training
    /// windows; bits per byte on the validation and test blocks.
    public func evaluate(_ parameters: ParameterSet) -> Metrics {
        Metrics(
            trainLoss: model.meanLoss(parameters, trainSubset),
            validationMetric: Self.bitsPerByte(nats: model.meanLoss(parameters, validationSet)),
            testMetric: Self.bitsPerByte(nats: model.meanLoss(parameters, testSet)))
    }

    public func validationMetric(_ parameters: ParameterSet) -> Double {
        Self.bitsPerByte(nats: model.meanLoss(parameters, validationSet))
    }
}
