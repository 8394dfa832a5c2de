import Core
import NN
import Tensor

/// Least-squares regression with a controlled input spectrum and a known noise floor.
///
/// Loss convention: the mean squared error `L = (1/n) Σ (f(x_i) − y_i)²`, without a
/// factor ½, for the training loss and the validation/test metric alike; so the Bayes
/// error is `σ² = noise_std²`, and for the linear model the exact Hessian is
/// `(2/n) AᵀA` with `A = [X 1]`. The `mlp` model's Hessian-vector products are central
/// finite differences of gradients (`finiteDifferenceHessianVectorProduct`).
///
/// The data set is fixed by `data_seed`; the trial seed chooses the initial parameters
/// and the order of the training stream (reshuffled epochs over the training set).
public final class RegressionWorkload: Workload {
    public typealias Batch = RegressionBatch

    /// Training examples in reshuffled epochs.
    public final class Stream: DataStream {
        private var sampler: EpochSampler
        private let train: RegressionBatch

        init(train: RegressionBatch, seed: UInt64) {
            self.train = train
            sampler = EpochSampler(count: train.count, seed: seed)
        }

        public func nextBatch(size: Int) -> RegressionBatch {
            train.gathering(sampler.next(size))
        }
    }

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let settings: RegressionSettings
    let data: RegressionData
    let model: any RegressionModel
    private let trainSubset: RegressionBatch

    /// Builds the data set described by `spec` (a `regression` spec or one of its variants).
    public init(spec: WorkloadSpec) throws {
        settings = try RegressionSettings(spec: spec)
        self.spec = spec
        data = RegressionData(settings: settings)
        switch settings.model {
        case .linear: model = LinearRegressor(features: settings.dimension)
        case .mlp: model = TanhMLP(features: settings.dimension, hiddenUnits: settings.hiddenUnits)
        }
        trainSubset = data.train.slice(0..<settings.trainEvalExamples)
        info = WorkloadInfo(
            name: spec.name, layout: model.layout, lossType: .meanSquaredError,
            defaultBatchSize: spec.defaultBatchSize, stepHint: spec.stepHint, trainingExamples: settings.trainExamples)
    }

    /// The Bayes error `σ²`: the validation MSE the true map reaches in expectation.
    public var bayesError: Double { settings.noiseStandardDeviation * settings.noiseStandardDeviation }

    /// The true map's parameters when the student has the teacher's form (the linear
    /// model), so that `evaluate(truth)` measures the noise floor; nil for `mlp`.
    public var trueParameters: ParameterSet? {
        settings.model == .linear ? data.teacherParameters : nil
    }

    /// Input-covariance eigenvalues, largest first.
    public var spectrum: [Double] { data.spectrum }

    /// The fixed training, validation and test sets.
    public var trainingSet: RegressionBatch { data.train }
    public var validationSet: RegressionBatch { data.validation }
    public var testSet: RegressionBatch { data.test }

    public func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "regression.init"))
        return model.initialParameters(using: &generator)
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(train: data.train, seed: StableHash.derive(seed, "regression.stream"))
    }

    public func lossAndGradient(_ parameters: ParameterSet, batch: RegressionBatch, into gradient: inout ParameterSet) -> Float {
        model.lossAndGradient(parameters, batch, into: &gradient)
    }

    public func loss(_ parameters: ParameterSet, batch: RegressionBatch) -> Float {
        model.loss(parameters, batch)
    }

    public func hessianVectorProduct(_ parameters: ParameterSet, batch: RegressionBatch, vector: ParameterSet, into result: inout ParameterSet) {
        if let linear = model as? LinearRegressor {
            linear.hessianVectorProduct(batch, vector: vector, into: &result)
        } else {
            finiteDifferenceHessianVectorProduct(parameters, batch: batch, vector: vector, into: &result)
        }
    }

    /// Training-subset MSE (the first `train_eval_examples` training examples),
    /// validation MSE and test MSE.
    public func evaluate(_ parameters: ParameterSet) -> Metrics {
        Metrics(
            trainLoss: Double(model.loss(parameters, trainSubset)),
            validationMetric: Double(model.loss(parameters, data.validation)),
            testMetric: Double(model.loss(parameters, data.test)))
    }

    public func validationMetric(_ parameters: ParameterSet) -> Double { Double(model.loss(parameters, data.validation)) }
}
