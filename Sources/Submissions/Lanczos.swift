import Foundation
import NN
import Tensor

/// The Lanczos method with full reorthogonalisation, for the extreme eigenpairs of a
/// symmetric operator known only through matrix-vector products (Hessian-vector products).
///
/// From a seeded Gaussian start q₁, `m` steps build an orthonormal Krylov basis Q and the
/// tridiagonal `T = QᵀHQ` (αⱼ on the diagonal, βⱼ beside it); every new vector is
/// orthogonalised against all previous ones (twice, classical Gram–Schmidt), so the Ritz
/// values do not repeat. The eigenpairs (θ, s) of T give Ritz pairs (θ, Qs); the largest
/// converge first. The process stops early on an invariant subspace (β below 1e-7 of the
/// largest |α|, β seen).
enum Lanczos {
    /// The `count` largest Ritz values (descending) and their Ritz vectors (unit norm).
    static func largestEigenpairs(
        like template: ParameterSet, iterations: Int, count: Int, generator: inout RandomGenerator,
        multiply: (ParameterSet, inout ParameterSet) -> Void
    ) -> (values: [Float], vectors: [[Float]]) {
        let d = template.values.count
        precondition(iterations >= 1 && count >= 1 && count <= iterations,
                     "Lanczos: need 1 ≤ count (\(count)) ≤ iterations (\(iterations))")
        var basis: [[Float]] = []
        var alphas: [Double] = [], betas: [Double] = []
        var q = ParameterSet.zeros(like: template)
        q.values.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
        normalise(&q.values)
        var w = ParameterSet.zeros(like: template)
        var scale = 0.0
        for j in 0..<min(iterations, d) {
            basis.append(q.values)
            multiply(q, &w)
            let alpha = dot(q.values, w.values)
            alphas.append(alpha)
            scale = max(scale, abs(alpha))
            for _ in 0..<2 {
                for b in basis {
                    let c = Float(dot(b, w.values))
                    w.values.withUnsafeMutableBufferPointer { wv in
                        b.withUnsafeBufferPointer { bv in
                            for i in 0..<d { wv[i] -= c * bv[i] }
                        }
                    }
                }
            }
            let beta = dot(w.values, w.values).squareRoot()
            if j == min(iterations, d) - 1 || beta <= 1e-7 * max(scale, 1e-30) { break }
            betas.append(beta)
            scale = max(scale, beta)
            let inverse = Float(1 / beta)
            for i in 0..<d { q.values[i] = w.values[i] * inverse }
        }
        let m = alphas.count
        var tridiagonal = [Float](repeating: 0, count: m * m)
        for j in 0..<m {
            tridiagonal[j * m + j] = Float(alphas[j])
            if j + 1 < m {
                tridiagonal[j * m + j + 1] = Float(betas[j])
                tridiagonal[(j + 1) * m + j] = Float(betas[j])
            }
        }
        let (values, vectors) = SymmetricEigensolver.decompose(tridiagonal, order: m)
        let taken = min(count, m)
        var resultValues: [Float] = [], resultVectors: [[Float]] = []
        for c in stride(from: m - 1, through: m - taken, by: -1) {
            var ritz = [Float](repeating: 0, count: d)
            for j in 0..<m {
                let s = vectors[c * m + j]
                basis[j].withUnsafeBufferPointer { b in
                    for i in 0..<d { ritz[i] += s * b[i] }
                }
            }
            normalise(&ritz)
            resultValues.append(values[c])
            resultVectors.append(ritz)
        }
        return (resultValues, resultVectors)
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                var sum = 0.0
                for i in 0..<x.count { sum += Double(x[i]) * Double(y[i]) }
                return sum
            }
        }
    }

    static func normalise(_ v: inout [Float]) {
        let norm = dot(v, v).squareRoot()
        guard norm > 0 else { return }
        let inverse = Float(1 / norm)
        for i in v.indices { v[i] *= inverse }
    }
}
