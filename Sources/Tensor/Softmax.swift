import Foundation

/// Row-wise softmax and log-softmax over the last axis, numerically stabilised by the
/// row maximum; exponentials in Float (`LaneMath.exp` for softmax, `expf` for
/// log-softmax, whose sum feeds a logarithm), row sums accumulated in Double (`LaneSums`).
extension Tensor {
    /// Softmax over the last axis: each row of `shape.last` elements sums to one.
    public func softmaxRows() -> Tensor {
        var result = self
        let width = Tensor.rowWidth(shape, "softmaxRows")
        result.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, width > 0 else { return }
            for row in 0..<(buffer.count / width) {
                Tensor.softmaxRow(base + row * width, width)
            }
        }
        return result
    }

    /// Log-softmax over the last axis.
    public func logSoftmaxRows() -> Tensor {
        var result = self
        let width = Tensor.rowWidth(shape, "logSoftmaxRows")
        result.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, width > 0 else { return }
            for row in 0..<(buffer.count / width) {
                let x = base + row * width
                let (maximum, sum) = Tensor.maxAndExpSum(x, width)
                let logNorm = Float(Double(maximum) + Foundation.log(sum))
                for j in 0..<width { x[j] -= logNorm }
            }
        }
        return result
    }

    /// In-place softmax of `width` contiguous elements.
    ///
    /// The exponentials are `LaneMath.exp`'s, eight at a time and each computed once
    /// (scalar `expf`, twice per element, was a tenth of the transformer's training step);
    /// −∞ (and anything 87.3 below the maximum, where `expf` underflows to a subnormal) gives
    /// exactly 0, so masked entries keep probability 0.
    public static func softmaxRow(_ x: UnsafeMutablePointer<Float>, _ width: Int) {
        var maximum = LaneSums.maximum(x, width)
        if maximum == -.infinity { maximum = 0 }  // a fully masked row stays finite until normalised
        // Below −87.3, where `LaneMath.exp` clamps, the exponential is taken as 0.
        let shift = LaneMath.Lanes(repeating: maximum), floor = LaneMath.Lanes(repeating: -87.3)
        LaneMath.map(x, x, count: width) { v in
            let shifted = v - shift
            return LaneMath.exp(shifted).replacing(with: 0, where: shifted .< floor)
        }
        let inverse = Float(1 / LaneSums.sum(x, width))
        for j in 0..<width { x[j] *= inverse }
    }

    /// Gradient of softmax: given `y = softmax(x)` and `dy`, returns
    /// `dx = y ⊙ (dy − ⟨dy, y⟩)` row by row.
    public static func softmaxRowsBackward(output y: Tensor, outputGradient dy: Tensor) -> Tensor {
        precondition(y.shape == dy.shape, "softmaxRowsBackward: output \(y.shape) and gradient \(dy.shape) differ")
        let width = rowWidth(y.shape, "softmaxRowsBackward")
        return Tensor(shape: y.shape) { xb in
            y.withUnsafeBufferPointer { yb in
                dy.withUnsafeBufferPointer { gb in
                    guard width > 0, let y = yb.baseAddress, let g = gb.baseAddress, let x = xb.baseAddress else { return }
                    let (ys, gs, xs) = (SharedBuffer(y), SharedBuffer(g), SharedBuffer(x))
                    let rows = yb.count / width
                    // Rows are independent: the split over the trial's threads does not change a bit.
                    ParallelRanges.forEach(rows, parts: ParallelRanges.parts(forElements: yb.count)) { range in
                        let (y, g, x) = (ys.base, gs.base, xs.base)
                        for row in range {
                            let o = row * width
                            let d = Float(LaneSums.dot(y + o, g + o, width))
                            for j in 0..<width { x[o + j] = y[o + j] * (g[o + j] - d) }
                        }
                    }
                }
            }
        }
    }

    private static func maxAndExpSum(_ x: UnsafeMutablePointer<Float>, _ width: Int) -> (Float, Double) {
        var maximum = -Float.infinity
        for j in 0..<width { maximum = Swift.max(maximum, x[j]) }
        if maximum == -.infinity { maximum = 0 }  // a fully masked row stays finite until normalised
        var sum = 0.0
        for j in 0..<width { sum += Double(Foundation.exp(x[j] - maximum)) }
        return (maximum, sum)
    }

    private static func rowWidth(_ shape: [Int], _ caller: String) -> Int {
        precondition(!shape.isEmpty, "Tensor.\(caller): needs rank ≥ 1, got a scalar")
        return shape[shape.count - 1]
    }
}
