import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct COSMOSTests {
    static let hyperparameters = COSMOS.defaultHyperparameters.merging(Hyperparameters(["rank": 3, "warmup_fraction": 0]))

    @Test func basisIsOrthonormalAndStartsAsTheLeadingEigenvectorsOfGTG() throws {
        let workload = ToyRegression()
        let hidden = workload.info.layout.views[0]  // 8 × 12: P is 12 × 3
        _ = try SubmissionDriver.run(COSMOS.self, on: workload, hyperparameters: Self.hyperparameters, steps: 6) { step, _, _, cosmos in
            let plan = try #require(cosmos.plans[0])
            let p = Array(cosmos.basis[plan.pOffset..<(plan.pOffset + 36)])
            for a in 0..<3 { for b in 0..<3 {
                let dot = (0..<12).reduce(Float(0)) { $0 + p[$1 * 3 + a] * p[$1 * 3 + b] }
                #expect(abs(dot - (a == b ? 1 : 0)) < 1e-4)
            } }
            guard step == 0 else { return }
            // W = GᵀG; WP = P·diag(λ) with λ₁ ≥ λ₂ ≥ λ₃ ≥ every other eigenvalue.
            let g = Array(cosmos.gradient.values[hidden.range])
            var w = [Float](repeating: 0, count: 144)
            for i in 0..<12 { for j in 0..<12 { for k in 0..<8 { w[i * 12 + j] += g[k * 12 + i] * g[k * 12 + j] } } }
            var captured: Float = 0
            for a in 0..<3 {
                let column = (0..<12).map { p[$0 * 3 + a] }
                let wp = (0..<12).map { i in (0..<12).reduce(Float(0)) { $0 + w[i * 12 + $1] * column[$1] } }
                let lambda = zip(wp, column).reduce(0) { $0 + $1.0 * $1.1 }
                captured += lambda
                for i in 0..<12 { #expect(abs(wp[i] - lambda * column[i]) < 1e-3 * max(1, lambda)) }
            }
            // G has rank ≤ 8, trace(W) = Σλ; the three leading eigenvalues hold at least 3/8 of it.
            let trace = (0..<12).reduce(Float(0)) { $0 + w[$1 * 13] }
            #expect(captured >= 3 / 8 * trace - 1e-4)
        }
    }

    @Test func matrixStepHasNormLearningRateTimesRatioTimesRootSize() throws {
        let workload = ToyRegression()
        let hidden = workload.info.layout.views[0]
        _ = try SubmissionDriver.run(COSMOS.self, on: workload, hyperparameters: Self.hyperparameters, steps: 5) { step, before, after, cosmos in
            let rate = Float(cosmos.schedule.learningRate(at: step))
            let norm = hidden.range.reduce(Float(0)) { $0 + pow(after.values[$1] - before.values[$1], 2) }.squareRoot()
            #expect(abs(norm - rate * 0.1 * Float(96).squareRoot()) <= 1e-3 * norm)
        }
    }

    @Test func stateBytesAgainstAdamW() throws {
        // 256 × 256, rank 64: M (65,536), V (256 × 64), P (256 × 64), S (64 × 64).
        #expect(try SubmissionDriver.referenceStateBytes(COSMOS.self) == (65536 + 16384 + 16384 + 4096) * 4)  // 409,600
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(COSMOS.self)
    }
}
