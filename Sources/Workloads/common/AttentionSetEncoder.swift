import Core
import NN

/// The size of an `AttentionSetEncoder`, read strictly from a workload's settings:
/// `embedding_dim` (1…4096), `heads` (dividing it), `encoder_layers` (0…32),
/// `feedforward_dim` (1…65536).
public struct AttentionEncoderSettings: Sendable, Equatable {
    public var dimension: Int
    public var heads: Int
    public var layers: Int
    public var feedforward: Int

    init(reading reader: inout JSONObjectReader) throws {
        dimension = try reader.integer("embedding_dim", in: 1...4096)
        heads = try reader.integer("heads", in: 1...256)
        guard dimension % heads == 0 else {
            throw InputError(source: reader.source, field: reader.fieldPath("heads"), message: "must divide embedding_dim (\(dimension)), found \(heads)")
        }
        layers = try reader.integer("encoder_layers", in: 0...32)
        feedforward = try reader.integer("feedforward_dim", in: 1...65536)
    }
}

/// The set encoder of the combinatorial workloads (tsp, jobshop): a transformer encoder
/// without positions or mask, so its output is equivariant to the order of the items.
///
/// `h⁰ = Linear(features→d)(x)`, then `layers` pre-LayerNorm layers `h ← h + MHA(LN(h))`,
/// `h ← h + W₂ GELU(W₁ LN(h))` with unmasked attention (`SelfAttention`, NN's, unmasked; GELU rather
/// than ReLU: smooth, so a fixed-action REINFORCE surrogate is differentiable everywhere),
/// then a final LayerNorm. Input `[batch, items, features]`, output `[batch, items, d]`.
/// Parameter names: `encoder.embed`, `encoder.layer<i>.(norm1|attention|norm2|feedforward.in|feedforward.out)`,
/// `encoder.final_norm`.
enum AttentionSetEncoder {
    static func make(inputFeatures: Int, _ size: AttentionEncoderSettings, layout: inout ParameterLayout) -> Sequential {
        let (d, heads, layers, feedforward) = (size.dimension, size.heads, size.layers, size.feedforward)
        var stack: [any Layer] = [Linear("encoder.embed", inputFeatures: inputFeatures, outputFeatures: d, layout: &layout)]
        for i in 0..<layers {
            let name = "encoder.layer\(i)"
            let norm1 = LayerNorm("\(name).norm1", features: d, layout: &layout)
            let attention = SelfAttention(name: "\(name).attention", dimension: d, heads: heads, causal: false, layout: &layout)
            let norm2 = LayerNorm("\(name).norm2", features: d, layout: &layout)
            let hidden = Linear("\(name).feedforward.in", inputFeatures: d, outputFeatures: feedforward, layout: &layout)
            let out = Linear("\(name).feedforward.out", inputFeatures: feedforward, outputFeatures: d, initialization: .lecunNormal, layout: &layout)
            stack.append(Residual("\(name).attention_residual", Sequential("\(name).attention_branch", [norm1, attention])))
            stack.append(Residual("\(name).feedforward_residual", Sequential("\(name).feedforward_branch", [norm2, hidden, GELU("\(name).gelu"), out])))
        }
        stack.append(LayerNorm("encoder.final_norm", features: d, layout: &layout))
        return Sequential("encoder", stack)
    }
}
