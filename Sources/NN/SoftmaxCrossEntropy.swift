import Foundation
import Tensor

/// Cross-entropy of softmax probabilities against integer class labels, optionally with
/// label smoothing, averaged over examples.
///
/// `prediction` holds logits of shape `[n, classes]` (or `[..., classes]`: every leading
/// position is one example, as for a language model's `[batch, sequence, vocabulary]`);
/// `target` holds class indices as `Float`, of shape `prediction.shape.dropLast()`.
///
/// With smoothing `ε` the target distribution is `q = (1 − ε)·onehot(y) + ε/classes`, the
/// per-example loss is `−Σⱼ qⱼ·log pⱼ` and its gradient with respect to the logits is
/// `p − q`. Log-probabilities come from the row-max-stabilised `logSoftmaxRows` kernel,
/// so any finite logits give a finite loss.
public struct SoftmaxCrossEntropy: Loss {
    /// `ε` in `[0, 1)`; 0 is plain cross-entropy.
    public let labelSmoothing: Float

    public init(labelSmoothing: Float = 0) {
        precondition(
            labelSmoothing >= 0 && labelSmoothing < 1,
            "SoftmaxCrossEntropy: label smoothing must be in [0, 1), got \(labelSmoothing)")
        self.labelSmoothing = labelSmoothing
    }

    public func loss(prediction: Tensor, target: Tensor) -> Float {
        compute(prediction, target, weights: nil, wantsGradient: false).loss
    }

    public func lossAndGradient(prediction: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
        compute(prediction, target, weights: nil, wantsGradient: true)
    }

    /// `(1/n)·Σᵢ wᵢ·ℓᵢ` and its gradient with respect to the logits, for per-example
    /// weights `w` of shape `[n]` (data reweighting, bilevel problems). With all weights
    /// one this is `lossAndGradient`.
    public func lossAndGradient(prediction: Tensor, target: Tensor, exampleWeights: Tensor) -> (loss: Float, gradient: Tensor) {
        compute(prediction, target, weights: exampleWeights, wantsGradient: true)
    }

    /// The loss of each example, shape `target.shape` (for example, the derivative of the
    /// weighted mean loss with respect to weight `wᵢ` is `ℓᵢ/n`).
    public func perExampleLosses(prediction: Tensor, target: Tensor) -> Tensor {
        let (classes, labels) = validate(prediction, target)
        let logProbabilities = prediction.logSoftmaxRows()
        var losses = Tensor(shape: target.shape)
        logProbabilities.withUnsafeBufferPointer { lp in
            losses.withUnsafeMutableBufferPointer { out in
                for (row, label) in labels.enumerated() {
                    out[row] = Float(rowLoss(lp.baseAddress! + row * classes, classes, label))
                }
            }
        }
        return losses
    }

    /// Number of examples whose largest logit is at the label (the first maximum on ties).
    public static func correctCount(logits: Tensor, labels: Tensor) -> Int {
        let (classes, ids) = SoftmaxCrossEntropy().validate(logits, labels)
        var correct = 0
        logits.withUnsafeBufferPointer { z in
            for (row, label) in ids.enumerated() {
                let o = row * classes
                var best = 0
                for j in 1..<classes where z[o + j] > z[o + best] { best = j }
                if best == label { correct += 1 }
            }
        }
        return correct
    }

    /// Fraction of examples whose largest logit is at the label (0 for no examples).
    public static func accuracy(logits: Tensor, labels: Tensor) -> Double {
        labels.count == 0 ? 0 : Double(correctCount(logits: logits, labels: labels)) / Double(labels.count)
    }

    private func compute(_ logits: Tensor, _ labels: Tensor, weights: Tensor?, wantsGradient: Bool) -> (loss: Float, gradient: Tensor) {
        let (classes, ids) = validate(logits, labels)
        Tensor.checkExampleWeights(weights, count: ids.count, caller: "SoftmaxCrossEntropy")
        guard !ids.isEmpty else { return (0, Tensor(zerosLike: logits)) }
        var buffer = logits.logSoftmaxRows()
        let n = Float(ids.count)
        let smoothing = labelSmoothing / Float(classes)
        var total = 0.0
        buffer.withUnsafeMutableBufferPointer { lp in
            for (row, label) in ids.enumerated() {
                let x = lp.baseAddress! + row * classes
                let weight = weights?.scalars[row] ?? 1
                total += Double(weight) * rowLoss(UnsafePointer(x), classes, label)
                guard wantsGradient else { continue }
                // p − q, scaled by wᵢ/n, written over the log-probabilities.
                let scale = weight / n
                for j in 0..<classes { x[j] = scale * (Foundation.exp(x[j]) - smoothing) }
                x[label] -= scale * (1 - labelSmoothing)
            }
        }
        return (Float(total / Double(ids.count)), wantsGradient ? buffer : Tensor(shape: [0]))
    }

    /// `−(1 − ε)·log p_y − (ε/classes)·Σⱼ log pⱼ` for one row of log-probabilities.
    private func rowLoss(_ logProbabilities: UnsafePointer<Float>, _ classes: Int, _ label: Int) -> Double {
        var loss = -Double(1 - labelSmoothing) * Double(logProbabilities[label])
        if labelSmoothing > 0 {
            var sum = 0.0
            for j in 0..<classes { sum += Double(logProbabilities[j]) }
            loss -= Double(labelSmoothing) / Double(classes) * sum
        }
        return loss
    }

    /// The class count and the labels as integers; stops on a shape or label error.
    private func validate(_ logits: Tensor, _ labels: Tensor) -> (classes: Int, labels: [Int]) {
        precondition(
            logits.rank >= 2 && logits.shape.last! > 0,
            "SoftmaxCrossEntropy: logits must have shape [n, classes] with classes > 0, got \(logits.shape)")
        precondition(
            labels.shape == Array(logits.shape.dropLast()),
            "SoftmaxCrossEntropy: labels have shape \(labels.shape), expected \(Array(logits.shape.dropLast())) for logits \(logits.shape)")
        let classes = logits.shape.last!
        return (classes, labels.classLabels(classes: classes, caller: "SoftmaxCrossEntropy"))
    }
}
