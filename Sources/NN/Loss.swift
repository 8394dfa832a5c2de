import Tensor

/// A training loss: the MEAN over examples of a per-example loss, and its gradient with
/// respect to the prediction.
///
/// The gradient is that of the mean (it already carries the `1/n`), so a workload hands
/// it straight to the model's `backward`. Values are accumulated in Double and returned
/// as Float. Each loss states in its own documentation what counts as an example and what
/// shapes it takes; shape and label errors stop with a message naming the loss.
public protocol Loss: Sendable {
    /// The mean loss of `prediction` against `target`.
    func loss(prediction: Tensor, target: Tensor) -> Float

    /// The mean loss and its gradient with respect to `prediction` (same shape).
    func lossAndGradient(prediction: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor)
}

extension Loss {
    public func loss(prediction: Tensor, target: Tensor) -> Float {
        lossAndGradient(prediction: prediction, target: target).loss
    }
}

extension Tensor {
    /// The elements as integer class labels in `0..<classes`; stops naming `caller` on a
    /// non-integer or out-of-range label.
    func classLabels(classes: Int, caller: String) -> [Int] {
        var labels = [Int](repeating: 0, count: count)
        withUnsafeBufferPointer { x in
            for i in 0..<x.count {
                let value = x[i]
                precondition(
                    value.isFinite && value.rounded() == value && value >= 0 && value < Float(classes),
                    "\(caller): label \(value) at example \(i) is not a class index in 0..<\(classes)")
                labels[i] = Int(value)
            }
        }
        return labels
    }

    /// Stops naming `caller` unless `weights` is nil or holds `count` finite,
    /// non-negative per-example weights.
    static func checkExampleWeights(_ weights: Tensor?, count: Int, caller: String) {
        guard let weights else { return }
        precondition(
            weights.count == count && weights.rank == 1,
            "\(caller): example weights have shape \(weights.shape), expected [\(count)]")
        precondition(
            weights.scalars.allSatisfy { $0 >= 0 && $0.isFinite },
            "\(caller): example weights must be finite and non-negative")
    }
}
