import CBLAS

/// Matrix decompositions through OpenBLAS's LAPACK, for row-major Float matrices.
///
/// LAPACK is column-major; a row-major m × n buffer is the column-major n × m matrix
/// Aᵀ, and the wrappers below translate: the SVD of Aᵀ = V S Uᵀ hands back A's factors
/// with U and Vᵀ swapped, already in row-major order. Workspaces are reused between calls
/// of the same size (decompositions run every few hundred steps, never per element).
public struct LAPACKWorkspace {
    /// An empty workspace; the first call of each decomposition sizes it.
    public init() {}

    private var work: [Float] = []
    private var integerWork: [Int32] = []
    private var scratch: [Float] = []

    /// Thin SVD of the row-major m × n matrix `a` (left intact): `u` receives the m × k
    /// left singular vectors (row-major, columns by decreasing singular value), `s` the k
    /// singular values, `vt` the k × n right singular vectors (row-major rows), k = min(m, n).
    public mutating func singularValueDecomposition(
        _ a: UnsafePointer<Float>, rows m: Int, columns n: Int,
        u: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>, vt: UnsafeMutablePointer<Float>
    ) {
        let k = min(m, n)
        if scratch.count < m * n { scratch = [Float](repeating: 0, count: m * n) }
        if integerWork.count < 8 * k { integerWork = [Int32](repeating: 0, count: 8 * k) }
        var job = Int8(UInt8(ascii: "S"))
        // Column-major view: B = Aᵀ is n × m with leading dimension n.
        var rowsB = Int32(n), columnsB = Int32(m), ldb = Int32(n), ldu = Int32(n), ldvt = Int32(k)
        var info: Int32 = 0
        var query: Float = 0, lwork: Int32 = -1
        scratch.withUnsafeMutableBufferPointer { b in
            for i in 0..<(m * n) { b[i] = a[i] }
            integerWork.withUnsafeMutableBufferPointer { iwork in
                // B = U_B S VT_B: U_B (n × k, col-major) is Vᵀ of A row-major; VT_B (k × m,
                // col-major) is U of A row-major.
                sgesdd_(&job, &rowsB, &columnsB, b.baseAddress, &ldb, s, vt, &ldu, u, &ldvt, &query, &lwork,
                        iwork.baseAddress, &info)
            }
        }
        precondition(info == 0, "LAPACK sgesdd workspace query failed (info \(info)) for a \(m) × \(n) matrix")
        let size = Int(query.rounded(.up)) + 1
        if work.count < size { work = [Float](repeating: 0, count: size) }
        lwork = Int32(work.count)
        scratch.withUnsafeMutableBufferPointer { b in
            for i in 0..<(m * n) { b[i] = a[i] }
            integerWork.withUnsafeMutableBufferPointer { iwork in
                work.withUnsafeMutableBufferPointer { w in
                    sgesdd_(&job, &rowsB, &columnsB, b.baseAddress, &ldb, s, vt, &ldu, u, &ldvt, w.baseAddress, &lwork,
                            iwork.baseAddress, &info)
                }
            }
        }
        precondition(info == 0, "LAPACK sgesdd failed (info \(info)) for a \(m) × \(n) matrix")
    }

    /// Eigendecomposition of the symmetric n × n matrix `a`, overwritten by its
    /// eigenvectors: afterwards row-major `a[i·n + j]` is component i of eigenvector j
    /// (column j), and `w` holds the eigenvalues in ascending order.
    public mutating func symmetricEigendecomposition(_ a: UnsafeMutablePointer<Float>, order n: Int, eigenvalues w: UnsafeMutablePointer<Float>) {
        var job = Int8(UInt8(ascii: "V")), upper = Int8(UInt8(ascii: "U"))
        var order = Int32(n), lda = Int32(n), info: Int32 = 0
        var query: Float = 0, integerQuery: Int32 = 0, lwork: Int32 = -1, liwork: Int32 = -1
        ssyevd_(&job, &upper, &order, a, &lda, w, &query, &lwork, &integerQuery, &liwork, &info)
        precondition(info == 0, "LAPACK ssyevd workspace query failed (info \(info)) for order \(n)")
        let size = Int(query.rounded(.up)) + 1
        if work.count < size { work = [Float](repeating: 0, count: size) }
        if integerWork.count < Int(integerQuery) { integerWork = [Int32](repeating: 0, count: Int(integerQuery)) }
        lwork = Int32(work.count)
        liwork = Int32(integerWork.count)
        work.withUnsafeMutableBufferPointer { wk in
            integerWork.withUnsafeMutableBufferPointer { iwork in
                ssyevd_(&job, &upper, &order, a, &lda, w, wk.baseAddress, &lwork, iwork.baseAddress, &liwork, &info)
            }
        }
        precondition(info == 0, "LAPACK ssyevd failed (info \(info)) for order \(n)")
        // LAPACK's column-major eigenvector columns are rows of the row-major buffer: transpose.
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let x = a[i * n + j]
                a[i * n + j] = a[j * n + i]
                a[j * n + i] = x
            }
        }
    }

    /// Orthonormalises the columns of the row-major m × r matrix `a` (m ≥ r) in place:
    /// afterwards `a` holds Q of the thin QR factorisation.
    public mutating func orthonormalizeColumns(_ a: UnsafeMutablePointer<Float>, rows m: Int, columns r: Int) {
        precondition(m >= r, "LAPACK QR: needs rows ≥ columns, got \(m) × \(r)")
        if scratch.count < m * r + r { scratch = [Float](repeating: 0, count: m * r + r) }
        var rows = Int32(m), columns = Int32(r), lda = Int32(m), info: Int32 = 0
        var query: Float = 0, lwork: Int32 = -1
        scratch.withUnsafeMutableBufferPointer { buffer in
            let b = buffer.baseAddress!, tau = b + m * r
            // Column-major copy.
            for i in 0..<m { for j in 0..<r { b[j * m + i] = a[i * r + j] } }
            sgeqrf_(&rows, &columns, b, &lda, tau, &query, &lwork, &info)
            precondition(info == 0, "LAPACK sgeqrf workspace query failed (info \(info))")
            var size = Int(query.rounded(.up)) + 1
            sorgqr_(&rows, &columns, &columns, b, &lda, tau, &query, &lwork, &info)
            precondition(info == 0, "LAPACK sorgqr workspace query failed (info \(info))")
            size = max(size, Int(query.rounded(.up)) + 1)
            if work.count < size { work = [Float](repeating: 0, count: size) }
            lwork = Int32(work.count)
            work.withUnsafeMutableBufferPointer { w in
                sgeqrf_(&rows, &columns, b, &lda, tau, w.baseAddress, &lwork, &info)
                precondition(info == 0, "LAPACK sgeqrf failed (info \(info)) for \(m) × \(r)")
                sorgqr_(&rows, &columns, &columns, b, &lda, tau, w.baseAddress, &lwork, &info)
                precondition(info == 0, "LAPACK sorgqr failed (info \(info)) for \(m) × \(r)")
            }
            for i in 0..<m { for j in 0..<r { a[i * r + j] = b[j * m + i] } }
        }
    }
}
