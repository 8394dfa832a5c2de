import Core

/// The data and model settings of the `regression` workload, read strictly from its spec.
///
/// | key | meaning |
/// |---|---|
/// | `dimension` | input dimension d |
/// | `condition_number` | ratio of the largest to the smallest input-covariance eigenvalue (log-spaced in between) |
/// | `noise_std` | σ of the Gaussian label noise: the Bayes error (validation MSE of the true map) is σ² |
/// | `signal_variance` | variance of the noiseless target over the input distribution |
/// | `signal_spectrum_power` | p: the linear teacher's coefficient along eigenvector i is drawn `N(0, λ_i^{-p})`, so eigendirection i carries signal ∝ `λ_i^{1-p}`; 0 = isotropic teacher, 1 = equal signal in every direction (hardest for first-order methods) |
/// | `train_examples`, `validation_examples`, `test_examples` | fixed data-set sizes |
/// | `train_eval_examples` | size of the training subset whose loss `evaluate` reports |
/// | `model` | `linear` (least squares) or `mlp` (tanh MLP student on a tanh MLP teacher) |
/// | `hidden_units` | student hidden width (`mlp` only) |
/// | `teacher_hidden_units` | teacher hidden width (`mlp` only) |
/// | `data_seed` | seed of the data set (covariance basis, teacher, samples, noise) |
public struct RegressionSettings: Sendable, Equatable {
    public enum Model: String, Sendable { case linear, mlp }

    public var dimension: Int
    public var conditionNumber: Double
    public var noiseStandardDeviation: Double
    public var signalVariance: Double
    public var signalSpectrumPower: Double
    public var trainExamples: Int
    public var validationExamples: Int
    public var testExamples: Int
    public var trainEvalExamples: Int
    public var model: Model
    public var hiddenUnits: Int
    public var teacherHiddenUnits: Int
    public var dataSeed: UInt64

    /// Reads every setting of `spec` and rejects unknown keys.
    public init(spec: WorkloadSpec) throws {
        var reader = try spec.settingsReader()
        dimension = try reader.integer("dimension", in: 1...8192)
        conditionNumber = try reader.positiveNumber("condition_number")
        guard conditionNumber >= 1 else {
            throw InputError(source: spec.source, field: reader.fieldPath("condition_number"), message: "must be ≥ 1, found \(conditionNumber)")
        }
        noiseStandardDeviation = try reader.number("noise_std")
        guard noiseStandardDeviation >= 0, noiseStandardDeviation.isFinite else {
            throw InputError(source: spec.source, field: reader.fieldPath("noise_std"), message: "must be a finite number ≥ 0, found \(noiseStandardDeviation)")
        }
        signalVariance = try reader.positiveNumber("signal_variance")
        signalSpectrumPower = try reader.number("signal_spectrum_power")
        guard (0...1).contains(signalSpectrumPower) else {
            throw InputError(source: spec.source, field: reader.fieldPath("signal_spectrum_power"), message: "must be in 0...1, found \(signalSpectrumPower)")
        }
        trainExamples = try reader.integer("train_examples", in: 1...10_000_000)
        validationExamples = try reader.integer("validation_examples", in: 1...10_000_000)
        testExamples = try reader.integer("test_examples", in: 1...10_000_000)
        trainEvalExamples = try reader.integer("train_eval_examples", in: 1...10_000_000)
        guard trainEvalExamples <= trainExamples else {
            throw InputError(source: spec.source, field: reader.fieldPath("train_eval_examples"), message: "must be ≤ train_examples (\(trainExamples)), found \(trainEvalExamples)")
        }
        let modelName = try reader.choice("model", ["linear", "mlp"])
        model = Model(rawValue: modelName) ?? .linear
        hiddenUnits = try reader.integer("hidden_units", in: 1...65536)
        teacherHiddenUnits = try reader.integer("teacher_hidden_units", in: 1...65536)
        dataSeed = UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max)))
        try reader.finish()
    }
}
