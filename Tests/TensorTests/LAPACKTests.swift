import Testing
import Tensor

/// The LAPACK wrappers on small matrices whose factors are known by hand.
@Suite struct LAPACKTests {
    @Test func singularValueDecompositionReconstructsTheMatrix() {
        let a: [Float] = [3, 0, 0, -2, 0, 0]  // 3 × 2: singular values 3 and 2
        var u = [Float](repeating: 0, count: 6), s = [Float](repeating: 0, count: 2), vt = [Float](repeating: 0, count: 4)
        var workspace = LAPACKWorkspace()
        workspace.singularValueDecomposition(a, rows: 3, columns: 2, u: &u, s: &s, vt: &vt)
        #expect(abs(s[0] - 3) < 1e-6 && abs(s[1] - 2) < 1e-6)
        for i in 0..<3 {
            for j in 0..<2 {
                let value = (0..<2).reduce(Float(0)) { $0 + u[i * 2 + $1] * s[$1] * vt[$1 * 2 + j] }
                #expect(abs(value - a[i * 2 + j]) < 1e-5)
            }
        }
    }

    @Test func symmetricEigendecompositionGivesAscendingValuesAndColumnVectors() {
        var a: [Float] = [2, 1, 1, 2]
        var w: [Float] = [0, 0]
        var workspace = LAPACKWorkspace()
        workspace.symmetricEigendecomposition(&a, order: 2, eigenvalues: &w)
        #expect(abs(w[0] - 1) < 1e-6 && abs(w[1] - 3) < 1e-6)
        // Column 1 is ±(1, 1)/√2.
        #expect(abs(abs(a[1]) - Float(0.5).squareRoot()) < 1e-6 && abs(a[1] - a[3]) < 1e-6)
    }

    @Test func orthonormalizedColumnsSpanTheSameSpace() {
        var a: [Float] = [1, 1, 0, 1, 0, 0]  // 3 × 2
        var workspace = LAPACKWorkspace()
        workspace.orthonormalizeColumns(&a, rows: 3, columns: 2)
        for p in 0..<2 {
            for q in 0..<2 {
                let dot = (0..<3).reduce(Float(0)) { $0 + a[$1 * 2 + p] * a[$1 * 2 + q] }
                #expect(abs(dot - (p == q ? 1 : 0)) < 1e-6)
            }
        }
        #expect(abs(a[4]) < 1e-6 && abs(a[5]) < 1e-6)  // third coordinate stays 0
    }

    @Test func inverseSquareRootOfADiagonalMatrix() {
        var root = SymmetricInverseRoot(capacity: 3)
        let matrix: [Float] = [4, 0, 0, 9]
        var result = [Float](repeating: 0, count: 4)
        #expect(root.compute(matrix, size: 2, root: 2, epsilon: 0, into: &result))
        #expect(abs(result[0] - 0.5) < 1e-6 && abs(result[3] - 1.0 / 3) < 1e-6)
        #expect(abs(result[1]) < 1e-6 && abs(result[2]) < 1e-6)
    }

    @Test func eigensolverMatchesTheWorkspaceRoutine() {
        let (values, vectors) = SymmetricEigensolver.decompose([2, 1, 1, 2], order: 2)
        #expect(abs(values[0] - 1) < 1e-6 && abs(values[1] - 3) < 1e-6)
        #expect(vectors.count == 4)
    }
}
