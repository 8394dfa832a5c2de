import Tensor
import Testing

/// `BLAS.gemm` and `Tensor.matmul` against a naive triple loop in Double.
@Suite struct BLASTests {
    /// Element (i, j) of `op(X)` for a row-major X with leading dimension `ld`.
    private static func element(_ x: [Float], _ ld: Int, _ transposed: Bool, _ i: Int, _ j: Int) -> Double {
        Double(transposed ? x[j * ld + i] : x[i * ld + j])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let transA, transB: Bool
        let padA, padB, padC: Int
        var testDescription: String { "A\(transA ? "ᵀ" : "")·B\(transB ? "ᵀ" : ""), padding \(padA)/\(padB)/\(padC)" }
    }

    static let cases: [Case] = [false, true].flatMap { ta in
        [false, true].flatMap { tb in [Case(transA: ta, transB: tb, padA: 0, padB: 0, padC: 0), Case(transA: ta, transB: tb, padA: 2, padB: 3, padC: 1)] }
    }

    @Test(arguments: cases)
    func gemmMatchesTheNaiveProduct(_ c: Case) {
        let (m, n, k) = (3, 5, 4)
        let alpha: Float = 1.5, beta: Float = -0.5
        // Stored shapes: A is m×k (or k×m when transposed), B is k×n (or n×k).
        let (aRows, aCols) = c.transA ? (k, m) : (m, k)
        let (bRows, bCols) = c.transB ? (n, k) : (k, n)
        let lda = aCols + c.padA, ldb = bCols + c.padB, ldc = n + c.padC
        var g = RandomGenerator(seed: 17)
        let a = (0..<(aRows * lda)).map { _ in g.nextNormal() }
        let b = (0..<(bRows * ldb)).map { _ in g.nextNormal() }
        let c0 = (0..<(m * ldc)).map { _ in g.nextNormal() }
        var result = c0
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                result.withUnsafeMutableBufferPointer { cp in
                    BLAS.gemm(
                        c.transA ? .transposed : .none, c.transB ? .transposed : .none,
                        m: m, n: n, k: k, alpha: alpha,
                        a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                        beta: beta, c: cp.baseAddress!, ldc: ldc)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<ldc {
                let got = Double(result[i * ldc + j])
                if j >= n {
                    #expect(got == Double(c0[i * ldc + j]), "padding C[\(i), \(j)] must stay untouched")
                    continue
                }
                var dot = 0.0
                for p in 0..<k { dot += Self.element(a, lda, c.transA, i, p) * Self.element(b, ldb, c.transB, p, j) }
                let expected = Double(alpha) * dot + Double(beta) * Double(c0[i * ldc + j])
                #expect(abs(got - expected) < 1e-5 * max(1, abs(expected)), "C[\(i), \(j)] = \(got), expected \(expected)")
            }
        }
    }

    @Test func gemmWithZeroBetaIgnoresNaNInTheOutput() {
        let a: [Float] = [1, 2], b: [Float] = [3, 4]
        var c: [Float] = [.nan]
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    BLAS.gemm(.none, .none, m: 1, n: 1, k: 2, a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!)
                }
            }
        }
        #expect(c == [11])
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matmulMatchesTheNaiveProduct(transposeSelf: Bool, transposeOther: Bool) {
        let (m, n, k) = (4, 3, 6)
        var g = RandomGenerator(seed: 23)
        let a = Tensor.randomNormal(shape: transposeSelf ? [k, m] : [m, k], using: &g)
        let b = Tensor.randomNormal(shape: transposeOther ? [n, k] : [k, n], using: &g)
        let product = a.matmul(
            b, transposeSelf: transposeSelf ? .transposed : .none, transposeOther: transposeOther ? .transposed : .none)
        #expect(product.shape == [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var dot = 0.0
                for p in 0..<k {
                    let x = transposeSelf ? a[p, i] : a[i, p]
                    let y = transposeOther ? b[j, p] : b[p, j]
                    dot += Double(x) * Double(y)
                }
                #expect(abs(Double(product[i, j]) - dot) < 1e-5 * max(1, abs(dot)))
            }
        }
    }

    @Test func matmulKnownValues() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        #expect(a.matmul(b).scalars == [58, 64, 139, 154])
        #expect(a.matmul(a, transposeOther: .transposed).scalars == [14, 32, 32, 77])
        #expect(a.matmul(a, transposeSelf: .transposed).shape == [3, 3])
        #expect(a.matmul(a, transposeSelf: .transposed).scalars == [17, 22, 27, 22, 29, 36, 27, 36, 45])
    }

    @Test func axpyAddsAScaledVector() {
        let x: [Float] = [1, 2, 3]
        var y: [Float] = [10, 10, 10]
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in BLAS.axpy(-2, xp, yp) }
        }
        #expect(y == [8, 6, 4])
    }

    @Test func configurationIsReported() {
        #expect(BLAS.threadCount >= 1)
        #expect(!BLAS.configuration.isEmpty)
    }
}
