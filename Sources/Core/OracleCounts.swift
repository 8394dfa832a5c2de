/// How much a submission asked of the workload: the hardware-independent cost of a trial.
public struct OracleCounts: Sendable, Equatable, Codable {
    /// Gradient evaluations (one per `gradient` call, whatever the batch size).
    public var gradientEvaluations = 0
    /// Hessian-vector products.
    public var hessianVectorProducts = 0
    /// Loss-only evaluations (zeroth-order and line-search methods).
    public var functionEvaluations = 0
    /// Training examples drawn from the data stream.
    public var examples = 0

    public init() {}

    /// All oracle calls together (gradients, HVPs, function values).
    public var totalCalls: Int { gradientEvaluations + hessianVectorProducts + functionEvaluations }
}
