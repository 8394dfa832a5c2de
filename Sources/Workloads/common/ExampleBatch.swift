import Core

/// A batch that is a list of examples: how many it holds, and the sub-batch of a range of
/// them. A workload whose batches are such lists gets `Workload`'s `exampleCount(of:)`
/// and `split(_:into:)` (the oracle's sub-batch gradients) from here, cut the same way
/// for every workload.
public protocol ExampleBatch {
    /// Examples in the batch.
    var count: Int { get }
    /// The examples at `range` (within `0..<count`), as a batch of their own.
    func slice(_ range: Range<Int>) -> Self
}

extension Workload where Batch: ExampleBatch {
    public func exampleCount(of batch: Batch) -> Int { batch.count }

    /// `parts` contiguous sub-batches of (nearly) equal size (`evenRanges`), in order.
    public func split(_ batch: Batch, into parts: Int) -> [Batch] {
        evenRanges(count: batch.count, parts: parts).map { batch.slice($0) }
    }
}

/// Cuts `0..<count` into `parts` contiguous ranges of (nearly) equal size.
func evenRanges(count: Int, parts: Int) -> [Range<Int>] {
    precondition(parts >= 1 && parts <= max(count, 1), "evenRanges: cannot cut \(count) items into \(parts) parts")
    return (0..<parts).map { p in (p * count / parts)..<((p + 1) * count / parts) }
}
