import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct AdAdaGradNormTests {
    typealias Support = OracleMethodTestSupport

    @Test func firstStepIsAdagradNormOnTheMeanGradient() throws {
        // θ₁ = θ₀ − η·ḡ/√(b₀² + ‖ḡ‖²).
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        let (rate, initial) = (0.7, 0.01)
        var method = try AdAdaGradNorm(info: w.info, hyperparameters: AdAdaGradNorm.defaultHyperparameters.merging(Hyperparameters([
            "learning_rate": rate, "warmup_fraction": 0, "min_lr_factor": 1, "initial_accumulator": initial,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        let parts = oracle.subBatchGradients(at: theta0, parts: 8)
        let g = theta0.values.indices.map { i in parts.reduce(0.0) { $0 + Double($1.gradient.values[i]) } / 8 }
        let b = (initial + g.reduce(0) { $0 + $1 * $1 }).squareRoot()
        for i in theta0.values.indices {
            let expected = Double(theta0.values[i]) - rate * g[i] / b
            #expect(abs(Double(theta.values[i]) - expected) <= 1e-5, "coordinate \(i)")
        }
        #expect(abs(method.accumulator - b * b) < 1e-6 * b * b)
    }

    @Test func batchSizeGrowsAtTheNoiseFloor() throws {
        let w = try Support.smallRegression()
        var method = try AdAdaGradNorm(info: w.info, hyperparameters: AdAdaGradNorm.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = try #require(w.trueParameters)
        let oracle = Support.oracle(w)
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        #expect(oracle.batchSize > 8)
    }

    @Test func partsGradientEvaluationsPerStep() throws {
        let counts = try Support.countsPerStep(AdAdaGradNorm.self, steps: 4)
        #expect(counts.allSatisfy { $0.gradientEvaluations == 8 && $0.hessianVectorProducts == 0 && $0.functionEvaluations == 0 })
        #expect(counts[0].examples == 136)
    }

    @Test func smokeTrialOnRegression() throws {
        let outcome = try Support.smokeTrial(AdAdaGradNorm.self)
        #expect(outcome.stateBytes == 8)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(AdAdaGradNorm.self, workload: Support.mlpRegression())
    }
}
