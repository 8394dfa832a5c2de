import CBLAS

/// Eigenvalues and eigenvectors of a small dense symmetric matrix through LAPACK's
/// `ssyevd` (divide and conquer, single precision, from OpenBLAS).
public enum SymmetricEigensolver {
    /// The eigen-decomposition of the symmetric `order × order` matrix `matrix`
    /// (row-major; only its symmetric part matters): eigenvalues ascending, and
    /// eigenvector c in `vectors[c*order ..< (c+1)*order]`.
    public static func decompose(_ matrix: [Float], order: Int) -> (values: [Float], vectors: [Float]) {
        precondition(order >= 1 && matrix.count == order * order,
                     "SymmetricEigensolver: need \(order)×\(order) = \(order * order) entries, got \(matrix.count)")
        // Column-major storage of a symmetric matrix is its row-major transpose: the same.
        var a = matrix
        var values = [Float](repeating: 0, count: order)
        var jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "U"))
        var n = Int32(order), lda = Int32(order), info: Int32 = 0
        var workSize: Float = 0, iworkSize: Int32 = 0
        var query: Int32 = -1
        ssyevd_(&jobz, &uplo, &n, &a, &lda, &values, &workSize, &query, &iworkSize, &query, &info)
        precondition(info == 0, "SymmetricEigensolver: ssyevd workspace query failed (info \(info))")
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Float](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        ssyevd_(&jobz, &uplo, &n, &a, &lda, &values, &work, &lwork, &iwork, &liwork, &info)
        precondition(info == 0, "SymmetricEigensolver: ssyevd failed to converge (info \(info)) on a \(order)×\(order) matrix")
        return (values, a)
    }
}
