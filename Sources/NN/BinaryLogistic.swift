import Foundation
import Tensor

/// Binary cross-entropy on logits (logistic loss), averaged over examples.
///
/// `prediction` holds one logit `z` per example, shape `[n]` or `[n, 1]`; `target` holds
/// labels `y` with the same number of elements, shape `[n]` or `[n, 1]`. Labels are
/// normally 0 or 1; any value in `[0, 1]` is accepted as a target probability. The
/// per-example loss `−y·log σ(z) − (1 − y)·log(1 − σ(z))` is evaluated in the stable form
/// `max(z, 0) − y·z + log(1 + exp(−|z|))`, finite and exact for any finite `z` (±100
/// included); its gradient is `σ(z) − y`, with `σ` evaluated without overflow.
public struct BinaryLogistic: Loss {
    public init() {}

    public func loss(prediction: Tensor, target: Tensor) -> Float {
        compute(prediction, target, weights: nil, wantsGradient: false).loss
    }

    public func lossAndGradient(prediction: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
        let (loss, gradient) = compute(prediction, target, weights: nil, wantsGradient: true)
        return (loss, gradient ?? Tensor(zerosLike: prediction))
    }

    /// `(1/n)·Σᵢ wᵢ·ℓᵢ` and its gradient with respect to the logits, for per-example
    /// weights `w` of shape `[n]` (data reweighting, bilevel problems).
    public func lossAndGradient(prediction: Tensor, target: Tensor, exampleWeights: Tensor) -> (loss: Float, gradient: Tensor) {
        let (loss, gradient) = compute(prediction, target, weights: exampleWeights, wantsGradient: true)
        return (loss, gradient ?? Tensor(zerosLike: prediction))
    }

    /// The loss of each example, shape `[n]`.
    public func perExampleLosses(prediction: Tensor, target: Tensor) -> Tensor {
        validate(prediction, target)
        var losses = Tensor(shape: [prediction.count])
        prediction.withUnsafeBufferPointer { z in
            target.withUnsafeBufferPointer { y in
                losses.withUnsafeMutableBufferPointer { out in
                    for i in 0..<out.count { out[i] = Float(BinaryLogistic.exampleLoss(z[i], y[i])) }
                }
            }
        }
        return losses
    }

    /// Fraction of examples where `z > 0` agrees with `y > ½` (0 for no examples).
    public static func accuracy(logits: Tensor, labels: Tensor) -> Double {
        BinaryLogistic().validate(logits, labels)
        guard logits.count > 0 else { return 0 }
        var correct = 0
        for i in 0..<logits.count where (logits.scalars[i] > 0) == (labels.scalars[i] > 0.5) { correct += 1 }
        return Double(correct) / Double(logits.count)
    }

    /// The logistic function `1/(1 + e^(−z))`, without overflow for large `|z|`.
    public static func sigmoid(_ z: Float) -> Float {
        if z >= 0 { return 1 / (1 + Foundation.exp(-z)) }
        let e = Foundation.exp(z)
        return e / (1 + e)
    }

    /// `max(z, 0) − y·z + log(1 + exp(−|z|))`, in Double.
    static func exampleLoss(_ z: Float, _ y: Float) -> Double {
        let z = Double(z), y = Double(y)
        return max(z, 0) - y * z + Foundation.log1p(Foundation.exp(-abs(z)))
    }

    private func compute(_ prediction: Tensor, _ target: Tensor, weights: Tensor?, wantsGradient: Bool) -> (loss: Float, gradient: Tensor?) {
        validate(prediction, target)
        let n = prediction.count
        Tensor.checkExampleWeights(weights, count: n, caller: "BinaryLogistic")
        guard n > 0 else { return (0, nil) }
        var gradient = wantsGradient ? Tensor(zerosLike: prediction) : nil
        var total = 0.0
        prediction.withUnsafeBufferPointer { z in
            target.withUnsafeBufferPointer { y in
                for i in 0..<n {
                    total += Double(weights?.scalars[i] ?? 1) * BinaryLogistic.exampleLoss(z[i], y[i])
                }
                gradient?.withUnsafeMutableBufferPointer { g in
                    for i in 0..<n {
                        g[i] = (weights?.scalars[i] ?? 1) / Float(n) * (BinaryLogistic.sigmoid(z[i]) - y[i])
                    }
                }
            }
        }
        return (Float(total / Double(n)), gradient)
    }

    private func validate(_ prediction: Tensor, _ target: Tensor) {
        func isColumn(_ shape: [Int]) -> Bool { shape.count == 1 || (shape.count == 2 && shape[1] == 1) }
        precondition(
            isColumn(prediction.shape),
            "BinaryLogistic: logits must have shape [n] or [n, 1], got \(prediction.shape)")
        precondition(
            isColumn(target.shape) && target.count == prediction.count,
            "BinaryLogistic: labels have shape \(target.shape), expected [\(prediction.count)] or [\(prediction.count), 1] for logits \(prediction.shape)")
        precondition(
            target.scalars.allSatisfy { $0 >= 0 && $0 <= 1 },
            "BinaryLogistic: labels must lie in [0, 1] (normally 0 or 1); found \(target.scalars.first { !($0 >= 0 && $0 <= 1) }.map(String.init(describing:)) ?? "?")")
    }
}
