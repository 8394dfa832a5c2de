/// What role a parameter tensor plays in a model, after AlgoPerf's parameter types.
///
/// Optimizers may treat kinds differently (no weight decay on biases and norm
/// parameters, orthogonalised updates only on matrices); they read the kind, never the
/// workload's name.
public enum ParameterKind: String, Sendable, CaseIterable, Codable {
    case weight
    case bias
    case convWeight = "conv_weight"
    case embedding
    case normScale = "norm_scale"
    case normShift = "norm_shift"
    case attentionQ = "attention_q"
    case attentionK = "attention_k"
    case attentionV = "attention_v"
    case attentionOut = "attention_out"

    /// Whether the kind is a matrix-like weight (dense, convolutional, embedding or
    /// attention projection), as opposed to a vector-like bias or norm parameter.
    public var isMatrixLike: Bool {
        switch self {
        case .weight, .convWeight, .embedding, .attentionQ, .attentionK, .attentionV, .attentionOut: true
        case .bias, .normScale, .normShift: false
        }
    }
}
