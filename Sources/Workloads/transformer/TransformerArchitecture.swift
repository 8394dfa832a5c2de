import Core

/// The shape of a `TransformerModel`: what the `transformer` workload (synthetic language)
/// and the byte-level language model on real text (`kjv`) share, read from the same spec
/// keys by both.
///
/// | key | meaning |
/// |---|---|
/// | `layers` | transformer blocks |
/// | `d_model`, `heads` | width and attention heads (heads divide d_model) |
/// | `mlp_ratio` | MLP hidden width / d_model (`glu`: 2/3 of that, rounded up to a multiple of 8, so the parameter count stays close) |
/// | `norm_position` | `pre` (pre-LayerNorm with a final LayerNorm) or `post` (post-LayerNorm, as the original transformer) |
/// | `mlp` | `gelu` (Linear–GELU–Linear) or `glu` (GEGLU) |
public struct TransformerArchitecture: Sendable, Equatable {
    public enum NormPosition: String, Sendable { case pre, post }
    public enum MLPKind: String, Sendable { case gelu, glu }

    /// Tokens the embedding and the head cover.
    public var vocabularySize: Int
    /// Predictions per sequence, the length of the learned positions.
    public var contextLength: Int
    public var layers: Int
    public var modelDimension: Int
    public var heads: Int
    public var mlpRatio: Int
    public var normPosition: NormPosition
    public var mlp: MLPKind

    /// Reads the keys in the table from `reader` (a spec's settings, `source` its file);
    /// the vocabulary and the context come from the workload's own keys.
    public init(reading reader: inout JSONObjectReader, source: String, vocabularySize: Int, contextLength: Int) throws {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        layers = try reader.integer("layers", in: 1...64)
        modelDimension = try reader.integer("d_model", in: 1...8192)
        heads = try reader.integer("heads", in: 1...256)
        guard modelDimension % heads == 0 else {
            throw InputError(source: source, field: reader.fieldPath("heads"), message: "must divide d_model (\(modelDimension)), found \(heads)")
        }
        mlpRatio = try reader.integer("mlp_ratio", in: 1...64)
        normPosition = NormPosition(rawValue: try reader.choice("norm_position", ["pre", "post"])) ?? .pre
        mlp = MLPKind(rawValue: try reader.choice("mlp", ["gelu", "glu"])) ?? .gelu
    }

    /// Hidden width of the MLP: `mlp_ratio · d_model`, or for `glu` two thirds of it rounded
    /// up to a multiple of 8.
    public var mlpHiddenWidth: Int {
        let width = mlpRatio * modelDimension
        guard mlp == .glu else { return width }
        return ((2 * width + 2) / 3 + 7) / 8 * 8
    }
}
