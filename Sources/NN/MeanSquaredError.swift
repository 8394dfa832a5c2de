import Tensor

/// The mean over ALL elements of `(p − t)²`, with no ½ factor.
///
/// `prediction` and `target` have the same (any) shape. For `N` elements the loss is
/// `(1/N)·Σ (pᵢ − tᵢ)²` and its gradient is `2(p − t)/N`. Averaging over elements rather
/// than examples keeps the loss scale independent of the output width; a regression
/// workload with one output per example gets the usual per-example mean.
public struct MeanSquaredError: Loss {
    public init() {}

    public func loss(prediction: Tensor, target: Tensor) -> Float {
        compute(prediction, target, wantsGradient: false).loss
    }

    public func lossAndGradient(prediction: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
        let (loss, gradient) = compute(prediction, target, wantsGradient: true)
        return (loss, gradient ?? Tensor(zerosLike: prediction))
    }

    /// One fused pass: the differences are taken in Float (the same in both paths, so
    /// `loss` and `lossAndGradient` agree bit for bit) and squared and summed in Double.
    private func compute(_ prediction: Tensor, _ target: Tensor, wantsGradient: Bool) -> (loss: Float, gradient: Tensor?) {
        precondition(
            prediction.shape == target.shape,
            "MeanSquaredError: prediction has shape \(prediction.shape), target has shape \(target.shape); they must match")
        let count = prediction.count
        guard count > 0 else { return (0, nil) }
        let gradientScale = 2 / Float(count)
        var gradient = wantsGradient ? Tensor(zerosLike: prediction) : nil
        var total = 0.0
        prediction.withUnsafeBufferPointer { p in
            target.withUnsafeBufferPointer { t in
                for i in 0..<count {
                    let d = p[i] - t[i]
                    total += Double(d) * Double(d)
                }
                gradient?.withUnsafeMutableBufferPointer { g in
                    for i in 0..<count { g[i] = gradientScale * (p[i] - t[i]) }
                }
            }
        }
        return (Float(total / Double(count)), gradient)
    }
}
