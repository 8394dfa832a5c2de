import Foundation

/// Row-wise softmax and log-softmax over the last axis, numerically stabilised by the
/// row maximum; exponentials in Float (`expf`), row sums accumulated in Double.
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
    public static func softmaxRow(_ x: UnsafeMutablePointer<Float>, _ width: Int) {
        let (maximum, sum) = maxAndExpSum(x, width)
        let inverse = Float(1 / sum)
        for j in 0..<width { x[j] = Foundation.exp(x[j] - maximum) * inverse }
    }

    /// Gradient of softmax: given `y = softmax(x)` and `dy`, returns
    /// `dx = y ⊙ (dy − ⟨dy, y⟩)` row by row.
    public static func softmaxRowsBackward(output y: Tensor, outputGradient dy: Tensor) -> Tensor {
        precondition(y.shape == dy.shape, "softmaxRowsBackward: output \(y.shape) and gradient \(dy.shape) differ")
        let width = rowWidth(y.shape, "softmaxRowsBackward")
        var dx = Tensor(shape: y.shape)
        y.withUnsafeBufferPointer { yb in
            dy.withUnsafeBufferPointer { gb in
                dx.withUnsafeMutableBufferPointer { xb in
                    guard width > 0 else { return }
                    for row in 0..<(yb.count / width) {
                        let o = row * width
                        var dot = 0.0
                        for j in 0..<width { dot += Double(yb[o + j]) * Double(gb[o + j]) }
                        let d = Float(dot)
                        for j in 0..<width { xb[o + j] = yb[o + j] * (gb[o + j] - d) }
                    }
                }
            }
        }
        return dx
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
