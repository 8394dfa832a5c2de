import Tensor

/// A residual connection `y = x + f(x)` around an inner layer (the "residual add").
///
/// The inner layer's output must have the input's shape; backward sends the output
/// gradient both straight through and through `f`, and adds the two.
public final class Residual: Layer {
    public let name: String
    public let inner: any Layer

    public init(_ name: String, _ inner: any Layer) {
        self.name = name
        self.inner = inner
    }

    public var parameterViews: [ParameterView] { inner.parameterViews }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        var output = inner.forward(input, parameters: parameters)
        checkShape(output.shape, expected: input.shape, what: "inner output")
        output.add(input)
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        var inputGradient = inner.backward(outputGradient, parameters: parameters, gradient: &gradient)
        checkShape(inputGradient.shape, expected: outputGradient.shape, what: "inner input gradient")
        inputGradient.add(outputGradient)
        return inputGradient
    }

    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        inner.initialize(&parameters, using: &generator)
    }

    public func setTraining(_ training: Bool) { inner.setTraining(training) }
}
