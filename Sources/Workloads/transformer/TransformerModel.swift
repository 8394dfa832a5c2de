import NN
import Tensor

/// The decoder-only language model of the `transformer` and `kjv` workloads: token embedding plus
/// learned positional embedding, `layers` blocks of causal multi-head self-attention and an
/// MLP, each in a residual connection, and a linear head to next-token logits (weights not
/// tied to the embedding), trained with softmax cross-entropy averaged over every
/// predicted token.
///
/// - `pre` (GPT-2): `x ← x + Attn(LN₁(x))`, `x ← x + MLP(LN₂(x))`, then a final LayerNorm.
/// - `post` (Vaswani et al.): `x ← LN₁(x + Attn(x))`, `x ← LN₂(x + MLP(x))`, no final norm.
/// - MLP `gelu`: `Linear(d→h)–GELU–Linear(h→d)`; `glu`: `Linear(d→2h)–GEGLU–Linear(h→d)`.
///
/// Initialisation: embeddings and positions `N(0, 1/d)`, attention Glorot uniform (the
/// layer's own), MLP input He uniform, MLP output LeCun normal, head `N(0, 0.02²)` so the
/// initial loss is close to `log V`; biases zero, norms identity.
final class TransformerModel {
    let architecture: TransformerArchitecture
    let layout: ParameterLayout
    private let network: Sequential
    private let crossEntropy = SoftmaxCrossEntropy()

    convenience init(settings: TransformerSettings) {
        self.init(architecture: settings.architecture)
    }

    init(architecture s: TransformerArchitecture) {
        architecture = s
        var layout = ParameterLayout()
        let d = s.modelDimension
        let deviation = 1 / Float(d).squareRoot()
        var layers: [any Layer] = [
            Embedding("embedding", vocabularySize: s.vocabularySize, dimension: d, standardDeviation: deviation, layout: &layout),
            LearnedPositions("positions", maxLength: s.contextLength, dimension: d, standardDeviation: deviation, layout: &layout),
        ]
        for i in 0..<s.layers {
            let name = "block\(i)"
            switch s.normPosition {
            case .pre:
                let norm1 = LayerNorm("\(name).norm1", features: d, layout: &layout)
                let attention = SelfAttention(name: "\(name).attention", dimension: d, heads: s.heads, causal: true, layout: &layout)
                let norm2 = LayerNorm("\(name).norm2", features: d, layout: &layout)
                let mlp = Self.mlp("\(name).mlp", s, layout: &layout)
                layers.append(Residual("\(name).attention_residual", Sequential("\(name).attention_branch", [norm1, attention])))
                layers.append(Residual("\(name).mlp_residual", Sequential("\(name).mlp_branch", [norm2, mlp])))
            case .post:
                let attention = SelfAttention(name: "\(name).attention", dimension: d, heads: s.heads, causal: true, layout: &layout)
                let norm1 = LayerNorm("\(name).norm1", features: d, layout: &layout)
                let mlp = Self.mlp("\(name).mlp", s, layout: &layout)
                let norm2 = LayerNorm("\(name).norm2", features: d, layout: &layout)
                layers += [Residual("\(name).attention_residual", attention), norm1, Residual("\(name).mlp_residual", mlp), norm2]
            }
        }
        if s.normPosition == .pre { layers.append(LayerNorm("final_norm", features: d, layout: &layout)) }
        layers.append(Linear("head", inputFeatures: d, outputFeatures: s.vocabularySize, initialization: .normal(standardDeviation: 0.02), layout: &layout))
        network = Sequential("transformer", layers)
        self.layout = layout
    }

    private static func mlp(_ name: String, _ s: TransformerArchitecture, layout: inout ParameterLayout) -> Sequential {
        let d = s.modelDimension, h = s.mlpHiddenWidth
        switch s.mlp {
        case .gelu:
            return Sequential(name, [
                Linear("\(name).in", inputFeatures: d, outputFeatures: h, layout: &layout),
                GELU("\(name).gelu"),
                Linear("\(name).out", inputFeatures: h, outputFeatures: d, initialization: .lecunNormal, layout: &layout),
            ])
        case .glu:
            return Sequential(name, [
                Linear("\(name).in", inputFeatures: d, outputFeatures: 2 * h, layout: &layout),
                GEGLU("\(name).geglu", width: h),
                Linear("\(name).out", inputFeatures: h, outputFeatures: d, initialization: .lecunNormal, layout: &layout),
            ])
        }
    }

    func initialParameters(using generator: inout RandomGenerator) -> ParameterSet {
        var p = ParameterSet(layout: layout)
        network.initialize(&p, using: &generator)
        return p
    }

    /// Inputs `[B, T]` (tokens 0 ..< T of each sequence, as Float ids) and targets `[B, T]`
    /// (tokens 1 ... T).
    private func inputsAndTargets(_ batch: TokenBatch) -> (Tensor, Tensor) {
        let t = batch.length - 1
        precondition(t <= architecture.contextLength, "transformer: sequences of \(batch.length) tokens exceed the context of \(architecture.contextLength) predictions")
        var inputs = [Float](repeating: 0, count: batch.count * t)
        var targets = [Float](repeating: 0, count: batch.count * t)
        batch.tokens.withUnsafeBufferPointer { x in
            for b in 0..<batch.count {
                for i in 0..<t {
                    inputs[b * t + i] = Float(x[b * batch.length + i])
                    targets[b * t + i] = Float(x[b * batch.length + i + 1])
                }
            }
        }
        return (Tensor(shape: [batch.count, t], scalars: inputs), Tensor(shape: [batch.count, t], scalars: targets))
    }

    private func checkLayout(_ parameters: ParameterSet) {
        precondition(parameters.layout == layout, "transformer: parameters have \(parameters.values.count) values in another layout, expected \(layout.count)")
    }

    /// Mean cross-entropy (nats per predicted token); its gradient is written into `gradient`.
    func lossAndGradient(_ parameters: ParameterSet, _ batch: TokenBatch, into gradient: inout ParameterSet) -> Float {
        checkLayout(parameters)
        precondition(gradient.values.count == layout.count, "transformer: gradient buffer has \(gradient.values.count) values, expected \(layout.count)")
        let (inputs, targets) = inputsAndTargets(batch)
        let logits = network.forward(inputs, parameters: parameters)
        let (loss, logitGradient) = crossEntropy.lossAndGradient(prediction: logits, target: targets)
        gradient.values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        network.accumulateParameterGradients(logitGradient, parameters: parameters, gradient: &gradient)
        return loss
    }

    /// Mean cross-entropy on `batch`, forward only.
    func loss(_ parameters: ParameterSet, _ batch: TokenBatch) -> Float {
        checkLayout(parameters)
        let (inputs, targets) = inputsAndTargets(batch)
        return crossEntropy.loss(prediction: network.forward(inputs, parameters: parameters), target: targets)
    }

    /// Mean cross-entropy over all predictions of `batch`, computed `chunk` sequences at a
    /// time (bounded memory) and accumulated in Double.
    func meanLoss(_ parameters: ParameterSet, _ batch: TokenBatch, chunk: Int = 32) -> Double {
        var total = 0.0
        var start = 0
        while start < batch.count {
            let end = min(start + chunk, batch.count)
            let part = batch.slice(start..<end)
            total += Double(loss(parameters, part)) * Double(part.predictions)
            start = end
        }
        return total / Double(batch.predictions)
    }
}
