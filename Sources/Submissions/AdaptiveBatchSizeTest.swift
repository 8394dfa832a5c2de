import Core
import Foundation
import NN

/// AdAdaGrad's adaptive sampling tests: from sub-batch gradients, the batch size at which
/// the batch gradient's variance is small against its norm.
///
/// The current batch of b examples is cut into P equal sub-batches of m = b/P (b is kept
/// a multiple of P); `g_p` are their mean gradients and `ḡ = (1/P)Σ g_p` the batch
/// gradient. The per-example variance is estimated from the sub-batch spread,
/// `σ̂² = m/(P−1)·Σ_p (·_p − mean)²` (per coordinate, or for inner products), and
/// - the norm test asks for `b' = Σ_j σ̂_j² / (η²‖ḡ‖²)`,
/// - the inner-product test for `b' = σ̂²(⟨∇f_i, ḡ⟩) / (θ²‖ḡ‖⁴)`,
/// as the authors' reference does with per-example gradients,
/// - the coordinate-wise norm test (the paper's variant for diagonal AdaGrad, which its
///   reference code does not implement) for `b' = max_j σ̂_j² / (η²ḡ_j²)`: our reading of
///   the paper's condition `σ_j²/b ≤ η²ḡ_j²` for every coordinate j, whose smallest
///   solution is the maximum over coordinates. A coordinate with ḡ_j = 0 and no spread
///   asks nothing; one with ḡ_j = 0 and some spread asks for the maximum batch.
/// The next batch size is
/// `min(max_batch, max(b, b'))` rounded up to a multiple of P: it never shrinks.
struct AdaptiveBatchSizeTest {
    enum Kind: Int {
        case norm = 0
        case innerProduct = 1
        case coordinateWise = 2
    }

    let kind: Kind
    /// η (norm test) or θ (inner-product test).
    let constant: Double
    let parts: Int
    let maximumBatchSize: Int

    /// Reads `test`, `test_constant`, `parts` and `max_batch_factor`; `coordinateWise` says
    /// whether the method keeps per-coordinate step sizes, so that test 2 applies.
    init(hyperparameters: Hyperparameters, info: WorkloadInfo, allowsCoordinateWise: Bool = false) throws {
        let code = hyperparameters.value("test", default: 0)
        let allowed = allowsCoordinateWise ? "0 (norm), 1 (inner product) or 2 (coordinate-wise norm)" : "0 (norm) or 1 (inner product)"
        guard let kind = Kind(rawValue: Int(code)), Double(kind.rawValue) == code,
              kind != .coordinateWise || allowsCoordinateWise else {
            throw HyperparameterError.invalid(name: "test", value: code, expected: allowed)
        }
        self.kind = kind
        constant = try hyperparameters.positive("test_constant", default: 0.1)
        parts = try AdaHessian.count("parts", hyperparameters, default: 8)
        guard parts >= 2 else { throw HyperparameterError.invalid(name: "parts", value: Double(parts), expected: "an integer ≥ 2") }
        let factor = try hyperparameters.positive("max_batch_factor", default: 32)
        var largest = Int((factor * Double(info.defaultBatchSize)).rounded())
        if let n = info.trainingExamples { largest = min(largest, n) }
        maximumBatchSize = max(parts, largest / parts * parts)
    }

    /// `size` rounded up to a multiple of `parts`, within `parts...maximumBatchSize`.
    func admissible(_ size: Int) -> Int {
        let rounded = (max(size, parts) + parts - 1) / parts * parts
        return min(rounded, maximumBatchSize)
    }

    /// Writes ḡ into `mean` and returns the batch size for the next step.
    func nextBatchSize(current: Int, subBatches: [(loss: Float, gradient: ParameterSet)], mean: inout [Float]) -> Int {
        let p = subBatches.count
        precondition(p == parts, "AdaptiveBatchSizeTest: expected \(parts) sub-batches, got \(p)")
        let share = 1 / Float(p)
        for i in mean.indices { mean[i] = 0 }
        for part in subBatches {
            part.gradient.values.withUnsafeBufferPointer { g in
                mean.withUnsafeMutableBufferPointer { gBar in
                    for i in 0..<gBar.count { gBar[i] += share * g[i] }
                }
            }
        }
        let squaredNorm = mean.reduce(0.0) { $0 + Double($1) * Double($1) }
        guard squaredNorm > 0 else { return current }
        let exampleScale = Double(current) / Double(p) / Double(p - 1)  // m/(P−1)
        var requested: Double
        switch kind {
        case .norm:
            let spread = Self.coordinateSpread(subBatches, mean: mean).reduce(0, +)
            requested = exampleScale * spread / (constant * constant * squaredNorm)
        case .innerProduct:
            var spread = 0.0
            for part in subBatches {
                let inner = zip(part.gradient.values, mean).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                spread += (inner - squaredNorm) * (inner - squaredNorm)
            }
            requested = exampleScale * spread / (constant * constant * squaredNorm * squaredNorm)
        case .coordinateWise:
            let spread = Self.coordinateSpread(subBatches, mean: mean)
            requested = exampleScale * Self.largestRatio(spread, mean: mean) / (constant * constant)
        }
        guard requested.isFinite else { return maximumBatchSize }
        let proposed = requested > Double(maximumBatchSize) ? maximumBatchSize : Int(requested.rounded(.up))
        return admissible(max(current, proposed))
    }

    /// `Σ_p (g_pj − ḡ_j)²` for every coordinate j.
    private static func coordinateSpread(_ subBatches: [(loss: Float, gradient: ParameterSet)], mean: [Float]) -> [Double] {
        var spread = [Double](repeating: 0, count: mean.count)
        for part in subBatches {
            part.gradient.values.withUnsafeBufferPointer { g in
                for j in 0..<spread.count {
                    let d = Double(g[j]) - Double(mean[j])
                    spread[j] += d * d
                }
            }
        }
        return spread
    }

    /// `max_j spread_j / ḡ_j²` over coordinates with some spread (infinite when a
    /// coordinate has spread but ḡ_j = 0).
    private static func largestRatio(_ spread: [Double], mean: [Float]) -> Double {
        var largest = 0.0
        for j in 0..<spread.count where spread[j] > 0 {
            let signal = Double(mean[j]) * Double(mean[j])
            largest = max(largest, signal > 0 ? spread[j] / signal : .infinity)
        }
        return largest
    }
}
