import Foundation
import Tensor

/// Timing helpers for `optbench perf`: each runs its body repeatedly for at least the
/// requested seconds on a monotonic clock and reports the best rate of the repeats.
enum Benchmarks {
    /// Seconds per call of `body`: the minimum over repeats, after one warm-up call.
    static func secondsPerCall(minimumSeconds: Double, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        var spent = 0.0
        var calls = 0
        while spent < minimumSeconds || calls < 3 {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            best = min(best, elapsed)
            spent += elapsed
            calls += 1
        }
        return best
    }

    /// Measured `cblas_sgemm` rate for an n×n×n product, in GFLOP/s.
    static func sgemmRate(size n: Int, seconds: Double) -> Double {
        var rng = RandomGenerator(seed: 1)
        let a = Tensor.randomNormal(shape: [n, n], using: &rng)
        let b = Tensor.randomNormal(shape: [n, n], using: &rng)
        var c = Tensor(shape: [n, n])
        let t = secondsPerCall(minimumSeconds: seconds) {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.gemm(.none, .none, m: n, n: n, k: n, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                    }
                }
            }
        }
        return 2 * Double(n * n * n) / t * 1e-9
    }

    /// Measured `cblas_sgemm` rate for an n×n×n product on `threads` BLAS threads, in
    /// GFLOP/s; the thread count is restored afterwards.
    static func sgemmRate(size n: Int, seconds: Double, threads: Int) -> Double {
        let kept = BLAS.threadCount
        defer { BLAS.setThreadCount(kept) }
        BLAS.setThreadCount(threads)
        return sgemmRate(size: n, seconds: seconds)
    }

    /// Measured memory-copy bandwidth (bytes read plus bytes written) in GB/s.
    static func copyBandwidth(megabytes: Int, seconds: Double) -> Double {
        let count = megabytes * (1 << 20) / MemoryLayout<Float>.size
        let source = [Float](repeating: 1, count: count)
        var destination = [Float](repeating: 0, count: count)
        let t = secondsPerCall(minimumSeconds: seconds) {
            source.withUnsafeBytes { s in
                destination.withUnsafeMutableBytes { d in
                    d.baseAddress!.copyMemory(from: s.baseAddress!, byteCount: s.count)
                }
            }
        }
        return 2 * Double(count * MemoryLayout<Float>.size) / t * 1e-9
    }
}
