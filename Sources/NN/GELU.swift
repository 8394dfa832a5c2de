import Tensor

/// The Gaussian error linear unit in its tanh approximation (Hendrycks & Gimpel 2016, as
/// in GPT-2 and PyTorch's `approximate="tanh"`), elementwise on any shape:
///
/// `gelu(x) = ½·x·(1 + tanh(u))`, `u = √(2/π)·(x + 0.044715·x³)`.
///
/// It differs from the exact `x·Φ(x)` by less than about 1e-3 everywhere. Backward is the
/// exact derivative of this approximation:
/// `½(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)` with `t = tanh(u)`.
///
/// The layer runs oneDNN's eltwise primitives (`OneDNNGELU`, about 6× faster than the
/// eight-lane Swift loop it replaced on the transformer's activations), one pair per
/// element count seen. `value` and `derivative` are the same functions lane by lane, for
/// layers that apply GELU to strided halves (GEGLU) and as the tests' reference.
public final class GELU: Layer {
    public let name: String
    private var cachedInput: Tensor?
    /// oneDNN primitives by element count (a training batch and an evaluation chunk differ).
    private var kernels: [Int: OneDNNGELU] = [:]

    static let sqrtTwoOverPi: Float = 0.797_884_56
    static let cubic: Float = 0.044_715

    public init(_ name: String = "gelu") {
        self.name = name
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        cachedInput = input
        guard input.count > 0 else { return input }
        let kernel = kernel(for: input.count)
        return Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                kernel.forward(x.baseAddress!, into: y.baseAddress!)
            }
        }
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let input = requireCache(cachedInput)
        checkShape(outputGradient.shape, expected: input.shape, what: "output gradient")
        guard input.count > 0 else { return input }
        let kernel = kernel(for: input.count)
        return Tensor(shape: input.shape) { dx in
            input.withUnsafeBufferPointer { x in
                outputGradient.withUnsafeBufferPointer { dy in
                    kernel.backward(input: x.baseAddress!, outputGradient: dy.baseAddress!, into: dx.baseAddress!)
                }
            }
        }
    }

    private func kernel(for count: Int) -> OneDNNGELU {
        if let kernel = kernels[count] { return kernel }
        let kernel = OneDNNGELU(count: count)
        kernels[count] = kernel
        return kernel
    }

    /// `u = √(2/π)·(x + 0.044715·x³)`, the argument of tanh.
    @inline(__always)
    static func argument(_ x: LaneMath.Lanes) -> LaneMath.Lanes {
        sqrtTwoOverPi * (x + cubic * x * x * x)
    }

    /// `gelu(x)` lane by lane (tanh from `LaneMath`, absolute error below 3e-7).
    @inline(__always)
    public static func value(_ x: LaneMath.Lanes) -> LaneMath.Lanes {
        0.5 * x * (1 + LaneMath.tanh(argument(x)))
    }

    /// `d gelu(x) / dx` lane by lane, the exact derivative of the approximation.
    @inline(__always)
    public static func derivative(_ x: LaneMath.Lanes) -> LaneMath.Lanes {
        let t = LaneMath.tanh(argument(x))
        let du = sqrtTwoOverPi * (1 + 3 * cubic * x * x)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
    }
}
