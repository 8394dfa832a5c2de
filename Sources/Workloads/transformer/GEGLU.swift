import Foundation
import NN
import Tensor

/// The gate of a GLU-variant MLP (GEGLU, Shazeer 2020): splits the last axis of its input
/// `[..., 2h]` into a value half `a = x[..., :h]` and a gate half `g = x[..., h:]` and
/// returns `a ⊙ gelu(g)`, shape `[..., h]`, with GELU in its tanh approximation (as `GELU`).
/// Backward is exact: `da = dy ⊙ gelu(g)`, `dg = dy ⊙ a ⊙ gelu′(g)`.
final class GEGLU: Layer {
    let name: String
    let width: Int
    private var cachedInput: Tensor?

    static let sqrtTwoOverPi: Float = 0.797_884_56
    static let cubic: Float = 0.044_715

    init(_ name: String, width: Int) {
        precondition(width >= 1, "GEGLU '\(name)': width must be positive, got \(width)")
        self.name = name
        self.width = width
    }

    func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        precondition(input.rank >= 1 && input.shape.last == 2 * width,
                     "GEGLU '\(name)': input shape \(input.shape) must end in 2 × \(width)")
        cachedInput = input
        let rows = input.count / (2 * width)
        var output = Tensor(shape: Array(input.shape.dropLast()) + [width])
        let h = width
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                for r in 0..<rows {
                    let i = r * 2 * h, o = r * h
                    for j in 0..<h {
                        let g = x[i + h + j]
                        let t = Foundation.tanh(Self.sqrtTwoOverPi * (g + Self.cubic * g * g * g))
                        y[o + j] = x[i + j] * 0.5 * g * (1 + t)
                    }
                }
            }
        }
        return output
    }

    func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let input = requireCache(cachedInput)
        checkShape(outputGradient.shape, expected: Array(input.shape.dropLast()) + [width], what: "output gradient")
        let rows = input.count / (2 * width)
        let h = width
        var inputGradient = Tensor(shape: input.shape)
        input.withUnsafeBufferPointer { x in
            outputGradient.withUnsafeBufferPointer { dy in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for r in 0..<rows {
                        let i = r * 2 * h, o = r * h
                        for j in 0..<h {
                            let a = x[i + j], g = x[i + h + j]
                            let g2 = g * g
                            let t = Foundation.tanh(Self.sqrtTwoOverPi * (g + Self.cubic * g2 * g))
                            let gelu = 0.5 * g * (1 + t)
                            let derivative = 0.5 * (1 + t) + 0.5 * g * (1 - t * t) * Self.sqrtTwoOverPi * (1 + 3 * Self.cubic * g2)
                            dx[i + j] = dy[o + j] * gelu
                            dx[i + h + j] = dy[o + j] * a * derivative
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
