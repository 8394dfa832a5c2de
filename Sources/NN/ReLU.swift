import Tensor

/// The rectifier `y = max(x, 0)`, elementwise on any shape.
///
/// Backward passes the gradient where the input was positive (the derivative at exactly
/// zero is taken as zero).
public final class ReLU: Layer {
    public let name: String
    private var cachedInput: Tensor?

    public init(_ name: String = "relu") {
        self.name = name
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        cachedInput = input
        return input.rectified()  // NaN stays NaN, so divergence shows
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let input = requireCache(cachedInput)
        checkShape(outputGradient.shape, expected: input.shape, what: "output gradient")
        return Tensor.rectifierGradient(outputGradient: outputGradient, input: input)
    }
}
