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
        var output = input
        output.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count where y[i] < 0 { y[i] = 0 }  // NaN stays NaN, so divergence shows
        }
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let input = requireCache(cachedInput)
        checkShape(outputGradient.shape, expected: input.shape, what: "output gradient")
        var inputGradient = outputGradient
        inputGradient.withUnsafeMutableBufferPointer { dx in
            input.withUnsafeBufferPointer { x in
                for i in 0..<dx.count where !(x[i] > 0) { dx[i] = 0 }
            }
        }
        return inputGradient
    }
}
