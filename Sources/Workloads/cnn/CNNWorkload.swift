import Core
import NN
import Tensor

/// CIFAR-like image classification: a small ResNet on seeded procedural 32×32 RGB images
/// of ten classes, trained with softmax cross-entropy under random-crop and flip
/// augmentation; the metric is accuracy (maximise).
///
/// The data set is fixed by `data_seed` and generated at construction (nothing is
/// cached on disk); the trial seed chooses the initial parameters, the order of the
/// training stream (reshuffled epochs) and its augmentation. Hessian-vector products are
/// central finite differences of gradients (`finiteDifferenceHessianVectorProduct`:
/// step `1e-3 · max(1, ‖θ‖) / ‖v‖`) on the batch given.
///
/// `evaluate` reports the mean cross-entropy on the first `train_eval_examples` training
/// images (unaugmented) and the accuracy on the validation and test sets; evaluation
/// runs in chunks of `evaluationChunk` images to bound the activation memory.
public final class CNNWorkload: Workload {
    public typealias Batch = CNNBatch

    /// Training images in reshuffled epochs, each cropped and flipped at random.
    public final class Stream: DataStream {
        private var sampler: EpochSampler
        private var augmentation: RandomGenerator
        private let train: ImageDataSet
        private let normalization: ImageNormalization
        private let padding: Int
        private let flip: Bool

        init(data: CNNData, settings: CNNSettings, seed: UInt64) {
            train = data.train
            normalization = data.normalization
            padding = settings.cropPadding
            flip = settings.horizontalFlip
            sampler = EpochSampler(count: data.train.count, seed: StableHash.derive(seed, "order"))
            augmentation = RandomGenerator(seed: StableHash.derive(seed, "augmentation"))
        }

        public func nextBatch(size: Int) -> CNNBatch {
            train.augmentedBatch(sampler.next(size), normalization: normalization, padding: padding, flip: flip, using: &augmentation)
        }
    }

    /// Images per forward pass in `evaluate`.
    public static let evaluationChunk = 250

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let settings: CNNSettings
    let data: CNNData
    let model: CNNModel
    private let classifier: ImageClassifier

    /// Builds the data set and network described by `spec` (a `cnn` spec or a variant).
    public convenience init(spec: WorkloadSpec) throws {
        let settings = try CNNSettings(spec: spec)
        self.init(spec: spec, settings: settings, data: CNNData(settings: settings))
    }

    /// A workload on given data (tests construct data sets whose answers are known).
    init(spec: WorkloadSpec, settings: CNNSettings, data: CNNData) {
        self.spec = spec
        self.settings = settings
        self.data = data
        model = CNNModel(settings: settings)
        classifier = ImageClassifier(workload: "cnn", network: model.network, layout: model.layout)
        info = WorkloadInfo(
            name: spec.name, layout: model.layout, lossType: .softmaxCrossEntropy,
            defaultBatchSize: spec.defaultBatchSize, stepHint: spec.stepHint, trainingExamples: settings.trainExamples)
    }

    /// Forward FLOPs per image of the network (2 per multiply-add).
    public var forwardFlopsPerImage: Int { model.forwardFlopsPerImage }

    /// FLOPs per image of a loss-and-gradient step: three forward passes' worth, less the
    /// stem's input gradient, which is never computed (the stem's input is the images).
    public var trainingFlopsPerImage: Int { model.trainingFlopsPerImage }

    /// The fixed validation and test sets, normalised.
    public var validationSet: CNNBatch { data.validation.batch(0..<data.validation.count, normalization: data.normalization) }
    public var testSet: CNNBatch { data.test.batch(0..<data.test.count, normalization: data.normalization) }

    public func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "cnn.init"))
        return model.initialParameters(using: &generator)
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(data: data, settings: settings, seed: StableHash.derive(seed, "cnn.stream"))
    }

    public func lossAndGradient(_ parameters: ParameterSet, batch: CNNBatch, into gradient: inout ParameterSet) -> Float {
        classifier.lossAndGradient(parameters, batch: batch, into: &gradient)
    }

    public func loss(_ parameters: ParameterSet, batch: CNNBatch) -> Float {
        classifier.loss(parameters, batch: batch)
    }

    public func hessianVectorProduct(_ parameters: ParameterSet, batch: CNNBatch, vector: ParameterSet, into result: inout ParameterSet) {
        classifier.checkLayout(vector, "HVP direction")
        finiteDifferenceHessianVectorProduct(parameters, batch: batch, vector: vector, into: &result)
    }

    /// Training-subset cross-entropy, validation accuracy and test accuracy.
    public func evaluate(_ parameters: ParameterSet) -> Metrics {
        classifier.metrics(
            train: data.train, trainEvalCount: settings.trainEvalExamples, validation: data.validation, test: data.test,
            normalization: data.normalization, chunk: Self.evaluationChunk, parameters: parameters)
    }

    public func validationMetric(_ parameters: ParameterSet) -> Double {
        classifier.validationAccuracy(
            data.validation, normalization: data.normalization, chunk: Self.evaluationChunk, parameters: parameters)
    }
}
