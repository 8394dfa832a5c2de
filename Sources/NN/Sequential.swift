import Tensor

/// Layers applied one after another; backward runs them in reverse.
public final class Sequential: Layer {
    public let name: String
    public let layers: [any Layer]

    public init(_ name: String, _ layers: [any Layer]) {
        self.name = name
        self.layers = layers
    }

    public var parameterViews: [ParameterView] { layers.flatMap(\.parameterViews) }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        layers.reduce(input) { x, layer in layer.forward(x, parameters: parameters) }
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        var g = outputGradient
        for layer in layers.reversed() {
            g = layer.backward(g, parameters: parameters, gradient: &gradient)
        }
        return g
    }

    /// Runs `backward` through every layer but the first, which only accumulates its
    /// parameter gradients.
    public func accumulateParameterGradients(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) {
        var g = outputGradient
        for layer in layers.dropFirst().reversed() {
            g = layer.backward(g, parameters: parameters, gradient: &gradient)
        }
        layers.first?.accumulateParameterGradients(g, parameters: parameters, gradient: &gradient)
    }

    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        for layer in layers { layer.initialize(&parameters, using: &generator) }
    }

    public func setTraining(_ training: Bool) {
        for layer in layers { layer.setTraining(training) }
    }
}
