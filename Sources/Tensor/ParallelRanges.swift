import CDNNL

/// Splits index ranges over the trial's thread budget for memory-bound loops outside BLAS
/// (unfolding, folding, optimizer updates).
///
/// The parts run on OpenMP's threads, the pool oneDNN's primitives and (linked as the
/// package links it) OpenBLAS's products run on, so that two cores never host two pools
/// of workers that wait for each other's spinning threads.
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
        onOpenMPThreads(parts: used) { part in
            let start = min(count, part * share)
            let end = part == used - 1 ? count : min(count, start + share)
            body(start..<end)
        }
    }

    /// Calls `work(part)` once for every part in `0..<parts` inside one OpenMP parallel
    /// region of up to `parts` threads; a smaller team (inside another region, where
    /// OpenMP does not nest) takes the parts in turn, so every part runs exactly once.
    private static func onOpenMPThreads(parts: Int, _ work: (Int) -> Void) {
        withoutActuallyEscaping(work) { work in
            let region = OpenMPRegion(parts: parts, work: work)
            withExtendedLifetime(region) {
                GOMP_parallel({ context in
                    guard let context else { return }
                    let region = Unmanaged<OpenMPRegion>.fromOpaque(context).takeUnretainedValue()
                    let team = max(1, Int(omp_get_num_threads()))
                    for part in stride(from: Int(omp_get_thread_num()), to: region.parts, by: team) { region.work(part) }
                }, Unmanaged.passUnretained(region).toOpaque(), UInt32(parts), 0)
            }
        }
    }

    /// The thread budget for a loop over `elements` elements: `BLAS.threadCount` when the
    /// loop is large enough (at least `minimumElements`) to repay waking the workers, else 1.
    public static func parts(forElements elements: Int, minimumElements: Int = 1 << 16) -> Int {
        elements >= minimumElements ? max(1, BLAS.threadCount) : 1
    }
}

/// What one `ParallelRanges` region runs, handed to OpenMP's threads as an opaque pointer.
private final class OpenMPRegion {
    let parts: Int
    let work: (Int) -> Void

    init(parts: Int, work: @escaping (Int) -> Void) {
        self.parts = parts
        self.work = work
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
