import Tensor

/// This machine's limits, measured: the matrix-product rate and the memory-copy
/// bandwidth the layer, step and update tables are put beside.
public enum MachineLimits {
    /// Measured `cblas_sgemm` rate for an n×n×n product, in GFLOP/s.
    public static func sgemmRate(size n: Int, seconds: Double) -> Double {
        var rng = RandomGenerator(seed: 1)
        let a = Tensor.randomNormal(shape: [n, n], using: &rng)
        let b = Tensor.randomNormal(shape: [n, n], using: &rng)
        var c = Tensor(shape: [n, n])
        let t = Timing.secondsPerCall(minimumSeconds: seconds) {
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
    public static func sgemmRate(size n: Int, seconds: Double, threads: Int) -> Double {
        let kept = BLAS.threadCount
        defer { BLAS.setThreadCount(kept) }
        BLAS.setThreadCount(threads)
        return sgemmRate(size: n, seconds: seconds)
    }

    /// Measured memory-copy bandwidth (bytes read plus bytes written) in GB/s.
    public static func copyBandwidth(megabytes: Int, seconds: Double) -> Double {
        let count = megabytes * (1 << 20) / MemoryLayout<Float>.size
        let source = [Float](repeating: 1, count: count)
        var destination = [Float](repeating: 0, count: count)
        let t = Timing.secondsPerCall(minimumSeconds: seconds) {
            source.withUnsafeBytes { s in
                destination.withUnsafeMutableBytes { d in
                    d.baseAddress!.copyMemory(from: s.baseAddress!, byteCount: s.count)
                }
            }
        }
        return 2 * Double(count * MemoryLayout<Float>.size) / t * 1e-9
    }
}
