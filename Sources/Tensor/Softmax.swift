import Foundation

/// Row-wise log-softmax over the last axis (the cross-entropy's), numerically stabilised
/// by the row maximum; exponentials from `expf`, row sums accumulated in Double. Softmax
/// itself (the attention layer's) is oneDNN's primitive, `OneDNNSoftmax`.
extension Tensor {
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
