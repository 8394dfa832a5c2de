import Foundation
import Tensor

/// The Gaussian error linear unit in its tanh approximation (Hendrycks & Gimpel 2016, as
/// in GPT-2 and PyTorch's `approximate="tanh"`), elementwise on any shape:
///
/// `gelu(x) = ½·x·(1 + tanh(u))`, `u = √(2/π)·(x + 0.044715·x³)`.
///
/// It differs from the exact `x·Φ(x)` by less than about 1e-3 everywhere. Backward is the
/// exact derivative of this approximation:
/// `½(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)` with `t = tanh(u)`.
public final class GELU: Layer {
    public let name: String
    private var cachedInput: Tensor?

    static let sqrtTwoOverPi: Float = 0.797_884_56
    static let cubic: Float = 0.044_715

    public init(_ name: String = "gelu") {
        self.name = name
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        cachedInput = input
        var output = input
        output.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count {
                let x = y[i]
                let t = Foundation.tanh(GELU.sqrtTwoOverPi * (x + GELU.cubic * x * x * x))
                y[i] = 0.5 * x * (1 + t)
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let input = requireCache(cachedInput)
        checkShape(outputGradient.shape, expected: input.shape, what: "output gradient")
        var inputGradient = outputGradient
        inputGradient.withUnsafeMutableBufferPointer { dx in
            input.withUnsafeBufferPointer { xs in
                for i in 0..<dx.count {
                    let x = xs[i]
                    let x2 = x * x
                    let t = Foundation.tanh(GELU.sqrtTwoOverPi * (x + GELU.cubic * x2 * x))
                    let du = GELU.sqrtTwoOverPi * (1 + 3 * GELU.cubic * x2)
                    dx[i] *= 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
                }
            }
        }
        return inputGradient
    }
}
