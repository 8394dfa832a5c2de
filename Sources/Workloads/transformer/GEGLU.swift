import NN
import Tensor

/// The gate of a GLU-variant MLP (GEGLU, Shazeer 2020): splits the last axis of its input
/// `[..., 2h]` into a value half `a = x[..., :h]` and a gate half `g = x[..., h:]` and
/// returns `a ⊙ gelu(g)`, shape `[..., h]`, with GELU in its tanh approximation
/// (`GELU.value` and `GELU.derivative`, eight lanes at a time).
/// Backward is exact: `da = dy ⊙ gelu(g)`, `dg = dy ⊙ a ⊙ gelu′(g)`.
final class GEGLU: Layer {
    let name: String
    let width: Int
    private var cachedInput: Tensor?

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
                guard let xBase = x.baseAddress, let yBase = y.baseAddress else { return }
                for r in 0..<rows {
                    let i = r * 2 * h, o = r * h
                    LaneMath.map(xBase + i + h, yBase + o, count: h) { GELU.value($0) }
                    for j in 0..<h { y[o + j] *= x[i + j] }
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
                    guard let xBase = x.baseAddress, let dxBase = dx.baseAddress else { return }
                    for r in 0..<rows {
                        let i = r * 2 * h, o = r * h
                        LaneMath.map(xBase + i + h, dxBase + i, count: h) { GELU.value($0) }
                        LaneMath.map(xBase + i + h, dxBase + i + h, count: h) { GELU.derivative($0) }
                        for j in 0..<h {
                            dx[i + j] *= dy[o + j]
                            dx[i + h + j] *= dy[o + j] * x[i + j]
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
