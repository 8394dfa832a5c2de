import NN

/// The loss a workload trains with; submissions may read it (never the workload's name).
public enum LossType: String, Sendable, Codable, CaseIterable {
    case meanSquaredError = "mean_squared_error"
    case softmaxCrossEntropy = "softmax_cross_entropy"
    case binaryLogistic = "binary_logistic"
    /// An objective of the workload's own (bilevel hypergradients, REINFORCE, MaxCut).
    case custom
}

/// What a submission may know about the workload it is training: parameter layout,
/// loss type, default batch size and step hint.
public struct WorkloadInfo: Sendable {
    public let name: String
    public let layout: ParameterLayout
    public let lossType: LossType
    public let defaultBatchSize: Int
    /// Steps the calibrated baseline takes within the budget (AlgoPerf's `step_hint`),
    /// used by submissions to size their schedules.
    public let stepHint: Int
    /// Size of the training set, where finite.
    public let trainingExamples: Int?
    /// Layout of the inner variable when the workload is bilevel and offers a
    /// `BilevelOracle` (its parameters are then the outer variable); nil otherwise.
    public let innerLayout: ParameterLayout?

    public init(
        name: String, layout: ParameterLayout, lossType: LossType, defaultBatchSize: Int, stepHint: Int,
        trainingExamples: Int?, innerLayout: ParameterLayout? = nil
    ) {
        precondition(defaultBatchSize >= 1, "WorkloadInfo '\(name)': default batch size must be ≥ 1, got \(defaultBatchSize)")
        precondition(stepHint >= 1, "WorkloadInfo '\(name)': step hint must be ≥ 1, got \(stepHint)")
        self.name = name
        self.layout = layout
        self.lossType = lossType
        self.defaultBatchSize = defaultBatchSize
        self.stepHint = stepHint
        self.trainingExamples = trainingExamples
        self.innerLayout = innerLayout
    }
}
