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

    /// Worked out by hand: a 5 × 3 gradient with exactly orthogonal columns, so GᵀG is
    /// diagonal, its eigenbasis P (r = n = 3) is the identity up to order and signs, and the
    /// complement Ĝ − ĜPPᵀ is exactly 0 (no Newton–Schulz part). On the first step M = G,
    /// Ĝ = G, √V/√(1−β₂) = |G|, so D = sign(G) (0 where G is 0) with ‖D‖ = √nnz, and
    /// θ₁ = θ₀ − η·ρ·√(mn/nnz)·sign(G); the bias takes Adam's first step, −η·sign(g).
    @Test func firstStepOnOrthogonalColumnsIsInClosedForm() throws {
        var layout = ParameterLayout()
        layout.add("w", shape: [5, 3], kind: .weight)
        layout.add("b", shape: [3], kind: .bias)
        // Columns (0.5, 0.5, 0, 0, 0), (0.25, −0.25, 0, 0, 0), (0, 0, 0.3, 0.6, −0.4): 7 non-zeros.
        let w: [Float] = [0.5, 0.25, 0, 0.5, -0.25, 0, 0, 0, 0.3, 0, 0, 0.6, 0, 0, -0.4]
        let g = w + [0.2, -0.7, 0.1]
        let workload = ReplayWorkload(name: "cosmos", layout: layout, gradients: [g])
        let (rate, ratio) = (Float(0.01), Float(0.1))
        var cosmos = try COSMOS(info: workload.info, hyperparameters: COSMOS.defaultHyperparameters.merging(Hyperparameters([
            "rank": 3, "learning_rate": Double(rate), "lr_ratio": Double(ratio), "weight_decay": 0, "warmup_fraction": 0,
            "min_lr_factor": 1,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 1))
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        let start = ParameterSet(layout: layout, values: (0..<18).map { Float($0) / 20 })
        var parameters = start
        oracle.drawBatch()
        try cosmos.step(&parameters, oracle: oracle, context: StepContext(step: 0, stepHint: 1, submissionTime: 0, lastEvaluation: nil))
        let size = rate * ratio * (Float(15) / 7).squareRoot()
        for i in 0..<15 {
            let sign: Float = w[i] > 0 ? 1 : (w[i] < 0 ? -1 : 0)
            let expected = start.values[i] - size * sign
            #expect(abs(parameters.values[i] - expected) < 1e-6, "w[\(i)]: \(parameters.values[i]) vs \(expected)")
        }
        for i in 15..<18 {
            let expected = start.values[i] - rate * (g[i] > 0 ? 1 : -1)
            #expect(abs(parameters.values[i] - expected) < 1e-6, "b[\(i - 15)]")
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
