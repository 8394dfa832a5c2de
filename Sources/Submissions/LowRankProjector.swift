import NN
import Tensor

/// GaLore's gradient projector for one matrix (rows × columns, `matrixShape`): the top-r
/// singular vectors of a gradient, on the smaller side.
///
/// As the GaLore reference: when rows < columns the basis is P = U_r (rows × r) and
/// `project(G) = PᵀG` (r × columns); otherwise it is Q = V_r (columns × r), stored as
/// Vᵀ_r (r × columns), and `project(G) = GQ` (rows × r). `projectBack` maps the low-rank
/// shape back: `P·R` or `R·Qᵀ`. The basis comes from LAPACK's SVD (`sgesdd`).
struct LowRankProjector {
    let rows: Int, columns: Int, rank: Int
    /// Left (P = U_r) when rows < columns, else right (Q = V_r).
    let left: Bool
    /// P (rows × r, row-major) or Vᵀ_r (r × columns, row-major).
    var basis: [Float]

    init(rows: Int, columns: Int, rank requested: Int) {
        self.rows = rows
        self.columns = columns
        rank = max(1, min(requested, min(rows, columns)))
        left = rows < columns
        basis = [Float](repeating: 0, count: left ? rows * rank : rank * columns)
    }

    /// Shape of a projected gradient: r × columns (left) or rows × r (right).
    var projectedCount: Int { left ? rank * columns : rows * rank }

    /// Recomputes the basis from the gradient `g` (rows × columns) with the SVD; `u`, `s`,
    /// `vt` are scratch of at least rows·k, k, k·columns (k = min(rows, columns)).
    mutating func refresh(
        from g: UnsafePointer<Float>, workspace: inout LAPACKWorkspace,
        u: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>, vt: UnsafeMutablePointer<Float>
    ) {
        let k = min(rows, columns)
        workspace.singularValueDecomposition(g, rows: rows, columns: columns, u: u, s: s, vt: vt)
        let (r, m, n, isLeft) = (rank, rows, columns, left)
        basis.withUnsafeMutableBufferPointer { b in
            if isLeft {
                for i in 0..<m { for j in 0..<r { b[i * r + j] = u[i * k + j] } }
            } else {
                for i in 0..<r { for j in 0..<n { b[i * n + j] = vt[i * n + j] } }
            }
        }
    }

    /// `out = project(g)`.
    func project(_ g: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        basis.withUnsafeBufferPointer { b in
            let p = b.baseAddress!
            if left {
                BLAS.gemm(.transposed, .none, m: rank, n: columns, k: rows, a: p, b: g, c: out)
            } else {
                BLAS.gemm(.none, .transposed, m: rows, n: rank, k: columns, a: g, b: p, c: out)
            }
        }
    }

    /// `out = alpha · projectBack(r) + beta · out` (rows × columns).
    func projectBack(_ r: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, alpha: Float = 1, beta: Float = 0) {
        basis.withUnsafeBufferPointer { b in
            let p = b.baseAddress!
            if left {
                BLAS.gemm(.none, .none, m: rows, n: columns, k: rank, alpha: alpha, a: p, b: r, beta: beta, c: out)
            } else {
                BLAS.gemm(.none, .none, m: rows, n: columns, k: rank, alpha: alpha, a: r, b: p, beta: beta, c: out)
            }
        }
    }
}
