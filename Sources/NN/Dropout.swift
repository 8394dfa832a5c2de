import Tensor

/// Inverted dropout: in training, each element is zeroed with probability `probability`
/// and the survivors are scaled by `1/(1 − probability)`, so the expected output equals
/// the input and evaluation needs no rescaling.
///
/// Masks come from the layer's own `RandomGenerator`, seeded at construction and advanced
/// by every training forward: successive steps see different masks, and the whole
/// sequence of masks is reproducible from the seed. The layer is the identity (and
/// backward passes the gradient through) when not training or when `probability` is 0.
/// A new layer starts in training mode.
public final class Dropout: Layer {
    public let name: String
    public let probability: Float
    /// The mask stream. Save and restore it to repeat a forward pass with the same mask,
    /// for example to evaluate a second gradient on the same batch or in a
    /// finite-difference check.
    public var generator: RandomGenerator
    public private(set) var isTraining = true

    private enum Cache {
        case identity(shape: [Int])
        /// Each element is 0 or `1/(1 − probability)`.
        case mask(Tensor)
    }
    private var cache: Cache?

    /// A dropout layer with drop probability `probability` in `[0, 1)`, whose masks are
    /// drawn from `RandomGenerator(seed: seed)`.
    public init(_ name: String = "dropout", probability: Float, seed: UInt64) {
        precondition(
            probability >= 0 && probability < 1,
            "Dropout '\(name)': probability must be in [0, 1), got \(probability)")
        self.name = name
        self.probability = probability
        self.generator = RandomGenerator(seed: seed)
    }

    public func setTraining(_ training: Bool) { isTraining = training }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        guard isTraining && probability > 0 else {
            cache = .identity(shape: input.shape)
            return input
        }
        var mask = Tensor(shape: input.shape)
        var output = input
        let keepScale = 1 / (1 - probability)
        mask.withUnsafeMutableBufferPointer { m in
            output.withUnsafeMutableBufferPointer { y in
                for i in 0..<m.count {
                    m[i] = generator.nextFloat() < probability ? 0 : keepScale
                    y[i] *= m[i]
                }
            }
        }
        cache = .mask(mask)
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        switch requireCache(cache) {
        case .identity(let shape):
            checkShape(outputGradient.shape, expected: shape, what: "output gradient")
            return outputGradient
        case .mask(let mask):
            checkShape(outputGradient.shape, expected: mask.shape, what: "output gradient")
            var inputGradient = outputGradient
            inputGradient.withUnsafeMutableBufferPointer { dx in
                mask.withUnsafeBufferPointer { m in
                    for i in 0..<dx.count { dx[i] *= m[i] }
                }
            }
            return inputGradient
        }
    }
}
