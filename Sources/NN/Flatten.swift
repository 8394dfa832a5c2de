import Tensor

/// Flattening of every axis after the first: `[batch, d₁, …, dₖ]` to
/// `[batch, d₁ · … · dₖ]` in row-major order (PyTorch's `nn.Flatten()`), the step from
/// convolution feature maps `[batch, channels, height, width]` to a dense layer. A view
/// change only: the elements keep their order, and backward reshapes the gradient back.
/// No parameters.
public final class Flatten: Layer {
    public let name: String
    private var inputShape: [Int]?

    public init(_ name: String = "flatten") {
        self.name = name
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        precondition(input.rank >= 2, "Flatten '\(name)': input needs a batch axis and at least one more, got shape \(input.shape)")
        inputShape = input.shape
        return input.reshaped(to: [input.shape[0], input.shape.dropFirst().reduce(1, *)])
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let shape = requireCache(inputShape)
        checkShape(outputGradient.shape, expected: [shape[0], shape.dropFirst().reduce(1, *)], what: "output gradient")
        return outputGradient.reshaped(to: shape)
    }
}
