import Core
import NN
import Tensor

/// Fashion-MNIST (Xiao et al. 2017: 28×28 grey images of ten kinds of clothing) with
/// DeepOBS's 2c2d network (`FashionMNISTModel`), trained with softmax cross-entropy; the
/// metric is accuracy (maximise). Real data, so no known optimum: the workload is for
/// checking that rankings on the synthetic workloads transfer.
///
/// Data: the Debian package `dataset-fashion-mnist` (`make deps` installs it), each file's
/// SHA-256 checked against the spec (`FashionMNISTData`). The 60,000 training images are
/// split by a seeded permutation into 55,000 training and 5,000 validation images; the
/// 10,000 t10k images are the test set. Grey levels are standardised with the training
/// set's mean and deviation; no augmentation. The trial seed chooses the initial
/// parameters and the order of the training stream (reshuffled epochs). Hessian-vector
/// products are central finite differences of gradients.
///
/// `evaluate` reports the mean cross-entropy on the first `train_eval_examples` training
/// images and the accuracy on the validation and test sets, `evaluationChunk` images per
/// forward pass.
public final class FashionMNISTWorkload: Workload {
    public typealias Batch = CNNBatch

    /// Training images in reshuffled epochs.
    public final class Stream: DataStream {
        private var sampler: EpochSampler
        private let train: ImageDataSet
        private let normalization: ImageNormalization

        init(data: FashionMNISTData, seed: UInt64) {
            train = data.train
            normalization = data.normalization
            sampler = EpochSampler(count: data.train.count, seed: seed)
        }

        public func nextBatch(size: Int) -> CNNBatch {
            train.batch(sampler.next(size), normalization: normalization)
        }
    }

    /// Images per forward pass in `evaluate`.
    public static let evaluationChunk = 500

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let settings: FashionMNISTSettings
    let data: FashionMNISTData
    let model: FashionMNISTModel
    private let classifier: ImageClassifier

    /// Reads the data files and builds the network described by `spec` (a
    /// `fashion_mnist` spec or a variant); throws when a file is missing or corrupt.
    public convenience init(spec: WorkloadSpec) throws {
        let settings = try FashionMNISTSettings(spec: spec)
        self.init(spec: spec, settings: settings, data: try FashionMNISTData(settings: settings))
    }

    /// A workload on given data (tests construct data sets whose answers are known).
    init(spec: WorkloadSpec, settings: FashionMNISTSettings, data: FashionMNISTData) {
        self.spec = spec
        self.settings = settings
        self.data = data
        model = FashionMNISTModel(settings: settings)
        classifier = ImageClassifier(workload: "fashion_mnist", network: model.network, layout: model.layout)
        info = WorkloadInfo(
            name: spec.name, layout: model.layout, lossType: .softmaxCrossEntropy,
            defaultBatchSize: spec.defaultBatchSize, stepHint: spec.stepHint, trainingExamples: data.train.count)
    }

    /// Forward FLOPs per image of the network (2 per multiply-add).
    public var forwardFlopsPerImage: Int { model.forwardFlopsPerImage }

    public func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "fashion_mnist.init"))
        return model.initialParameters(using: &generator)
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(data: data, seed: StableHash.derive(seed, "fashion_mnist.stream"))
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
