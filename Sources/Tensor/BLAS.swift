import CBLAS

/// Which operand of a matrix product is used transposed.
public enum Transpose: Sendable, CaseIterable {
    case none, transposed

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Matrix products and BLAS configuration, all through OpenBLAS.
///
/// Every dense product in OptBench goes through `cblas_sgemm`; the functions here only
/// validate shapes so that a wrong call stops with a message instead of reading out of
/// bounds.
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` for row-major matrices held in raw buffers.
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`. Leading dimensions default to
    /// the dense row-major ones. `label` names the caller in shape errors.
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "BLAS.gemm: negative size m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        let lda = lda ?? (transA == .none ? k : m)
        let ldb = ldb ?? (transB == .none ? n : k)
        let ldc = ldc ?? n
        precondition(lda >= max(1, transA == .none ? k : m), "BLAS.gemm: lda \(lda) too small")
        precondition(ldb >= max(1, transB == .none ? n : k), "BLAS.gemm: ldb \(ldb) too small")
        precondition(ldc >= max(1, n), "BLAS.gemm: ldc \(ldc) too small")
        flopCounter?.add(2 * m * n * k)
        cblas_sgemm(
            CblasRowMajor, transA.cblas, transB.cblas,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }

    /// `y = alpha · x + y` over equal-length buffers.
    public static func axpy(_ alpha: Float, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "BLAS.axpy: x has \(x.count) elements, y has \(y.count)")
        guard let xBase = x.baseAddress, let yBase = y.baseAddress, !x.isEmpty else { return }
        cblas_saxpy(Int32(x.count), alpha, xBase, 1, yBase, 1)
    }

    /// Number of threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of OpenBLAS threads (one per trial process when trials run in parallel).
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "BLAS.setThreadCount: need at least one thread, got \(count)")
        openblas_set_num_threads(Int32(count))
    }

    /// Whether the OpenBLAS described by `configuration` is its OpenMP build (`USE_OPENMP`),
    /// whose products run on OpenMP's threads, oneDNN's pool.
    public static func usesOpenMP(configuration: String = BLAS.configuration) -> Bool {
        configuration.split(separator: " ").contains("USE_OPENMP")
    }

    /// OpenBLAS's own build description (version, target core, threading), for provenance.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "OpenBLAS (unknown configuration)" }
        return String(cString: text).trimmingCharacters(in: " ")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

extension Tensor {
    /// The matrix product `op(self) · op(other)` of two rank-2 tensors.
    public func matmul(_ other: Tensor, transposeSelf: Transpose = .none, transposeOther: Transpose = .none) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "Tensor.matmul: needs rank-2 operands, got \(shape) and \(other.shape)")
        let m = transposeSelf == .none ? shape[0] : shape[1]
        let k = transposeSelf == .none ? shape[1] : shape[0]
        let k2 = transposeOther == .none ? other.shape[0] : other.shape[1]
        let n = transposeOther == .none ? other.shape[1] : other.shape[0]
        precondition(k == k2, "Tensor.matmul: inner sizes differ: \(shape)\(transposeSelf == .none ? "" : "ᵀ") · \(other.shape)\(transposeOther == .none ? "" : "ᵀ")")
        var result = Tensor(shape: [m, n])
        withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        transposeSelf, transposeOther, m: m, n: n, k: k,
                        a: a.baseAddress!, lda: shape[1], b: b.baseAddress!, ldb: other.shape[1],
                        c: c.baseAddress!)
                }
            }
        }
        return result
    }
}
