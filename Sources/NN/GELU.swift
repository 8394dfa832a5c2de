import Tensor

/// The Gaussian error linear unit in its tanh approximation (Hendrycks & Gimpel 2016, as
/// in GPT-2 and PyTorch's `approximate="tanh"`), elementwise on any shape:
///
/// `gelu(x) = ½·x·(1 + tanh(u))`, `u = √(2/π)·(x + 0.044715·x³)`.
///
/// It differs from the exact `x·Φ(x)` by less than about 1e-3 everywhere. tanh comes from
/// `LaneMath.tanh` (absolute error below 3e-7), eight lanes at a time. Backward is the
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
        return Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { xs in
                guard let x = xs.baseAddress, let y = y.baseAddress else { return }
                let (input, output) = (SharedBuffer(x), SharedBuffer(y))
                Self.forEachPart(of: xs.count) { range in
                    LaneMath.map(input.base + range.lowerBound, output.base + range.lowerBound, count: range.count) { GELU.value($0) }
                }
            }
        }
    }

    /// Calls `body` on disjoint ranges covering `0..<count`, split over the trial's threads
    /// when there are enough elements. Each element's value depends on that element alone,
    /// so the bits do not depend on the split.
    private static func forEachPart(of count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        ParallelRanges.forEach(
            count, parts: ParallelRanges.parts(forElements: count), alignment: LaneMath.Lanes.scalarCount, body)
    }

    /// `gelu(x)` lane by lane (tanh from `LaneMath`, absolute error below 3e-7).
    @inline(__always)
    public static func value(_ x: LaneMath.Lanes) -> LaneMath.Lanes {
        let t = LaneMath.tanh(sqrtTwoOverPi * (x + cubic * x * x * x))
        return 0.5 * x * (1 + t)
    }

    /// `d gelu(x) / dx` lane by lane, the exact derivative of the approximation.
    @inline(__always)
    public static func derivative(_ x: LaneMath.Lanes) -> LaneMath.Lanes {
        let x2 = x * x
        let t = LaneMath.tanh(sqrtTwoOverPi * (x + cubic * x2 * x))
        let du = sqrtTwoOverPi * (1 + 3 * cubic * x2)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let input = requireCache(cachedInput)
        checkShape(outputGradient.shape, expected: input.shape, what: "output gradient")
        return Tensor(shape: input.shape) { slope in
            input.withUnsafeBufferPointer { xs in
                outputGradient.withUnsafeBufferPointer { dys in
                    guard let x = xs.baseAddress, let dy = dys.baseAddress, let s = slope.baseAddress else { return }
                    let (input, outputGradient, inputGradient) = (SharedBuffer(x), SharedBuffer(dy), SharedBuffer(s))
                    Self.forEachPart(of: xs.count) { range in
                        let (x, dy, dx) = (input.base, outputGradient.base, inputGradient.base)
                        LaneMath.map(x + range.lowerBound, dx + range.lowerBound, count: range.count) { GELU.derivative($0) }
                        for i in range { dx[i] *= dy[i] }
                    }
                }
            }
        }
    }
}
