import Foundation
import Tensor

/// The hyperbolic tangent, elementwise on any shape.
///
/// Backward uses the cached output: `dx = dy · (1 − y²)`.
public final class Tanh: Layer {
    public let name: String
    private var cachedOutput: Tensor?

    public init(_ name: String = "tanh") {
        self.name = name
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        var output = input
        output.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] = Foundation.tanh(y[i]) }
        }
        cachedOutput = output
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let output = requireCache(cachedOutput)
        checkShape(outputGradient.shape, expected: output.shape, what: "output gradient")
        var inputGradient = outputGradient
        inputGradient.withUnsafeMutableBufferPointer { dx in
            output.withUnsafeBufferPointer { y in
                for i in 0..<dx.count { dx[i] *= 1 - y[i] * y[i] }
            }
        }
        return inputGradient
    }
}
