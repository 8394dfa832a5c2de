import CBLAS
import Foundation
import Tensor

/// Inverse p-th roots of symmetric positive semi-definite matrices, through LAPACK's
/// divide-and-conquer symmetric eigensolver (`ssyevd`, shipped with OpenBLAS), with
/// workspaces allocated once for the largest size.
///
/// `A^(−1/p) = Q·diag((max(λᵢ, 0) + δ)^(−1/p))·Qᵀ` with `δ = ε·max(λ_max, 0) + 1e-30`: the
/// damping is relative to the largest eigenvalue, so it scales with the statistics, and
/// eigenvalues that rounding made slightly negative are treated as zero.
public struct SymmetricInverseRoot {
    private var vectors: [Float]
    private var scaled: [Float]
    private var eigenvalues: [Float]
    private var work: [Float]
    private var integerWork: [Int32]
    public let capacity: Int

    /// Workspaces for matrices up to `capacity` × `capacity`.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        let n = self.capacity
        vectors = [Float](repeating: 0, count: n * n)
        scaled = vectors
        eigenvalues = [Float](repeating: 0, count: n)
        work = [Float](repeating: 0, count: 1 + 6 * n + 2 * n * n)
        integerWork = [Int32](repeating: 0, count: 3 + 5 * n)
    }

    /// Writes `matrix^(−1/p)` (n × n, symmetric) into `result`. Returns false, leaving
    /// `result` untouched, when the eigensolver does not converge.
    public mutating func compute(
        _ matrix: UnsafePointer<Float>, size n: Int, root p: Double, epsilon: Double, into result: UnsafeMutablePointer<Float>
    ) -> Bool {
        precondition(n >= 1 && n <= capacity, "SymmetricInverseRoot: size \(n) outside 1...\(capacity)")
        let count = n * n
        var info: Int32 = 0
        vectors.withUnsafeMutableBufferPointer { q in
            for i in 0..<count { q[i] = matrix[i] }
            var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "U"))
            var order = Int32(n), lda = Int32(n)
            var lwork = Int32(1 + 6 * n + 2 * n * n), liwork = Int32(3 + 5 * n)
            eigenvalues.withUnsafeMutableBufferPointer { w in
                work.withUnsafeMutableBufferPointer { workspace in
                    integerWork.withUnsafeMutableBufferPointer { integers in
                        ssyevd_(&jobz, &uplo, &order, q.baseAddress!, &lda, w.baseAddress!, workspace.baseAddress!, &lwork,
                                integers.baseAddress!, &liwork, &info)
                    }
                }
            }
        }
        guard info == 0 else { return false }
        // Column-major eigenvectors read row-major: row k of `vectors` is eigenvector k (E = Qᵀ).
        let largest = max(Double(eigenvalues[n - 1]), 0)
        let damping = epsilon * largest + 1e-30
        vectors.withUnsafeBufferPointer { e in
            scaled.withUnsafeMutableBufferPointer { f in
                for k in 0..<n {
                    let factor = Float(pow(max(Double(eigenvalues[k]), 0) + damping, -1 / p))
                    for j in 0..<n { f[k * n + j] = factor * e[k * n + j] }
                }
                // result = Eᵀ · diag(factors) · E
                BLAS.gemm(.transposed, .none, m: n, n: n, k: n, a: e.baseAddress!, b: f.baseAddress!, c: result)
            }
        }
        return true
    }
}
