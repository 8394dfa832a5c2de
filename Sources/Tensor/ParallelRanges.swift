import Dispatch

/// Splits index ranges over the trial's thread budget for memory-bound loops outside BLAS
/// (unfolding, folding, optimizer updates).
///
/// Callers hand disjoint output ranges to the parts, so the result never depends on how
/// many parts there are: the same seed gives the same numbers at any thread count.
public enum ParallelRanges {
    /// Calls `body` on `parts` contiguous, disjoint ranges covering `0..<count` (fewer when
    /// `count < parts`), concurrently when more than one. The ranges start at multiples of
    /// `alignment`, so SIMD loops keep whole vectors inside one part.
    public static func forEach(
        _ count: Int, parts: Int, alignment: Int = 1, _ body: @Sendable (Range<Int>) -> Void
    ) {
        precondition(count >= 0, "ParallelRanges.forEach: negative count \(count)")
        precondition(parts >= 1 && alignment >= 1, "ParallelRanges.forEach: parts \(parts) and alignment \(alignment) must be positive")
        let used = min(parts, max(1, count))
        guard used > 1 else {
            body(0..<count)
            return
        }
        let share = (count / used + alignment - 1) / alignment * alignment
        DispatchQueue.concurrentPerform(iterations: used) { part in
            let start = min(count, part * share)
            let end = part == used - 1 ? count : min(count, start + share)
            body(start..<end)
        }
    }

    /// The thread budget for a loop over `elements` elements: `BLAS.threadCount` when the
    /// loop is large enough (at least `minimumElements`) to repay waking the workers, else 1.
    public static func parts(forElements elements: Int, minimumElements: Int = 1 << 16) -> Int {
        elements >= minimumElements ? max(1, BLAS.threadCount) : 1
    }
}

/// A buffer handed to the parts of a `ParallelRanges.forEach` loop, each of which reads it
/// or writes its own disjoint part of it (which is what makes sharing it safe).
public struct SharedBuffer<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>

    public init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    public init(_ base: UnsafePointer<Element>) { self.base = UnsafeMutablePointer(mutating: base) }

    /// The buffer of `buffer`, or nil when it has no storage (an empty array's).
    public init?(_ buffer: UnsafeMutableBufferPointer<Element>) {
        guard let base = buffer.baseAddress else { return nil }
        self.base = base
    }
}
