import Foundation
import Tensor

/// Seeded linear-algebra helpers for synthetic data.
enum RandomMatrices {
    /// A random orthogonal `d × d` matrix (row-major Float), from modified Gram–Schmidt in
    /// Double on a Gaussian matrix; its columns are an orthonormal basis.
    static func orthogonal(dimension d: Int, using generator: inout RandomGenerator) -> [Float] {
        precondition(d >= 1, "RandomMatrices.orthogonal: dimension must be ≥ 1, got \(d)")
        // Columns stored contiguously: column j at [j*d ..< (j+1)*d].
        var columns = [Double](repeating: 0, count: d * d)
        for i in columns.indices { columns[i] = generator.nextNormalPair().0 }
        columns.withUnsafeMutableBufferPointer { q in
            for j in 0..<d {
                for k in 0..<j {
                    var dot = 0.0
                    for i in 0..<d { dot += q[k * d + i] * q[j * d + i] }
                    for i in 0..<d { q[j * d + i] -= dot * q[k * d + i] }
                }
                var norm = 0.0
                for i in 0..<d { norm += q[j * d + i] * q[j * d + i] }
                let inverse = 1 / norm.squareRoot()
                for i in 0..<d { q[j * d + i] *= inverse }
            }
        }
        var result = [Float](repeating: 0, count: d * d)
        for j in 0..<d { for i in 0..<d { result[i * d + j] = Float(columns[j * d + i]) } }
        return result
    }

    /// `count` values log-spaced from 1 down to `1 / conditionNumber`.
    static func logSpacedSpectrum(count: Int, conditionNumber: Double) -> [Double] {
        precondition(count >= 1 && conditionNumber >= 1, "RandomMatrices.logSpacedSpectrum: need count ≥ 1 and condition ≥ 1, got \(count), \(conditionNumber)")
        guard count > 1 else { return [1] }
        let logRatio = -log(conditionNumber)
        return (0..<count).map { i in exp(logRatio * Double(i) / Double(count - 1)) }
    }
}
