import NN

/// The set encoder of the combinatorial workloads (tsp, jobshop): a transformer encoder
/// without positions or mask, so its output is equivariant to the order of the items.
///
/// `h⁰ = Linear(features→d)(x)`, then `layers` pre-LayerNorm layers `h ← h + MHA(LN(h))`,
/// `h ← h + W₂ GELU(W₁ LN(h))` with unmasked attention (`EncoderSelfAttention`; GELU rather
/// than ReLU: smooth, so a fixed-action REINFORCE surrogate is differentiable everywhere),
/// then a final LayerNorm. Input `[batch, items, features]`, output `[batch, items, d]`.
/// Parameter names: `encoder.embed`, `encoder.layer<i>.(norm1|attention|norm2|feedforward.in|feedforward.out)`,
/// `encoder.final_norm`.
enum AttentionSetEncoder {
    static func make(inputFeatures: Int, dimension d: Int, heads: Int, layers: Int, feedforward: Int, layout: inout ParameterLayout) -> Sequential {
        var stack: [any Layer] = [Linear("encoder.embed", inputFeatures: inputFeatures, outputFeatures: d, layout: &layout)]
        for i in 0..<layers {
            let name = "encoder.layer\(i)"
            let norm1 = LayerNorm("\(name).norm1", features: d, layout: &layout)
            let attention = EncoderSelfAttention("\(name).attention", dimension: d, heads: heads, layout: &layout)
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
