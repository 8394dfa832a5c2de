/// A per-step training-loss log that keeps at most `capacity` entries by decimation.
///
/// Entries are kept at a stride that doubles whenever the log fills (every step, then
/// every 2nd, 4th, ...), so memory stays bounded for any trial length and the kept steps
/// are evenly spaced.
public struct LossLog: Sendable {
    public let capacity: Int
    public private(set) var steps: [Int] = []
    public private(set) var losses: [Float] = []
    private var stride = 1

    public init(capacity: Int = 2048) {
        precondition(capacity >= 2, "LossLog: capacity must be ≥ 2, got \(capacity)")
        self.capacity = capacity
    }

    /// Records the loss of `step` if it falls on the current stride.
    public mutating func record(step: Int, loss: Float) {
        guard step % stride == 0 else { return }
        if steps.count == capacity {
            stride *= 2
            let kept = steps.indices.filter { steps[$0] % stride == 0 }
            steps = kept.map { steps[$0] }
            losses = kept.map { losses[$0] }
            guard step % stride == 0 else { return }
        }
        steps.append(step)
        losses.append(loss)
    }
}
