import Synchronization

/// Counts the floating-point operations of the matrix products (`BLAS.gemm` and the
/// convolutions on oneDNN, two per multiply-add) run inside `BLAS.countingFlops`, so
/// a benchmark can report the achieved GFLOP/s of a real training step without a
/// hand-written FLOP formula per model.
///
/// Only products issued on the thread (or task) that opened the counting scope are seen:
/// every model in OptBench issues its products from the caller's thread.
public final class FlopCounter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    /// Operations counted so far.
    public var flops: Int { count.load(ordering: .relaxed) }

    func add(_ flops: Int) { count.add(flops, ordering: .relaxed) }
}

extension BLAS {
    /// The counter of the innermost `countingFlops` scope on this thread, if any.
    @TaskLocal static var flopCounter: FlopCounter?

    /// Runs `body` and returns its result with the FLOPs of the matrix products it ran.
    public static func countingFlops<T>(_ body: () throws -> T) rethrows -> (result: T, flops: Int) {
        let counter = FlopCounter()
        let result = try $flopCounter.withValue(counter) { try body() }
        return (result, counter.flops)
    }
}
