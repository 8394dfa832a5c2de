import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct SPSTests {
    typealias Support = OracleMethodTestSupport

    /// One step from θ₀ on a fixed batch; returns θ₁ and the batch loss and gradient at θ₀.
    static func oneStep(_ h: Hyperparameters, steps: Int = 1) throws -> (theta0: ParameterSet, theta: ParameterSet, oracle: Oracle) {
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        var theta = theta0
        var sps = try SPS(info: w.info, hyperparameters: SPS.defaultHyperparameters.merging(h), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        for step in 0..<steps { try sps.step(&theta, oracle: oracle, context: Support.context(step)) }
        return (theta0, theta, oracle)
    }

    @Test func stepEqualsThePolyakClosedFormOnAQuadratic() throws {
        // Linear least squares is a quadratic; with the bound out of reach the step is
        // exactly γ = f_B(θ)/(c‖g‖²) along −g.
        let c = 0.5
        let (theta0, theta1, oracle) = try Self.oneStep(Hyperparameters([
            "c": c, "max_step_size": 1e9, "initial_step_size": 1e9, "smoothing": 1,
        ]))
        var g = ParameterSet.zeros(like: theta0)
        let f = Double(oracle.gradient(at: theta0, into: &g))
        let squaredNorm = g.values.reduce(0.0) { $0 + Double($1) * Double($1) }
        let gamma = f / (c * squaredNorm)
        #expect(f > 0.5 && gamma > 0)
        for i in theta0.values.indices {
            let expected = Double(theta0.values[i]) - gamma * Double(g.values[i])
            #expect(abs(Double(theta1.values[i]) - expected) <= 1e-6 * max(1, abs(expected)), "coordinate \(i)")
        }
        // On a quadratic with c = ½ the Polyak step overshoots the linear model's zero
        // exactly twice: f(θ₀) − γ‖g‖² = f − f/c = −f.
        #expect(abs((f - gamma * squaredNorm) + f) < 1e-9 * f)
    }

    @Test func theBoundCapsTheStep() throws {
        let (theta0, theta1, oracle) = try Self.oneStep(Hyperparameters([
            "max_step_size": 1e-3, "initial_step_size": 1e9, "smoothing": 1,
        ]))
        var g = ParameterSet.zeros(like: theta0)
        oracle.gradient(at: theta0, into: &g)
        for i in theta0.values.indices {
            #expect(theta1.values[i] == theta0.values[i] - Float(1e-3) * g.values[i])
        }
    }

    @Test func theSmoothedBoundGrowsByTauToTheBatchFraction() throws {
        // n = 1024 examples, b = 128: γ_b,t = 2^(1/8)·γ_{t−1}, starting from 1e-4.
        let w = try Support.smallRegression()
        var sps = try SPS(info: w.info, hyperparameters: SPS.defaultHyperparameters.merging(Hyperparameters([
            "initial_step_size": 1e-4, "smoothing": 2, "max_step_size": 10,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        let factor = pow(2.0, 128.0 / 1024.0)
        #expect(abs(sps.stepSizeBound(batchSize: 128) - 1e-4 * factor) < 1e-15)
        let oracle = Support.oracle(w)
        var theta = w.initialParameters(seed: 2)
        try sps.step(&theta, oracle: oracle, context: Support.context(0))
        #expect(abs(sps.previousStepSize - 1e-4 * factor) < 1e-15)
        #expect(abs(sps.stepSizeBound(batchSize: 128) - 1e-4 * factor * factor) < 1e-15)
    }

    @Test func oneGradientPerStep() throws {
        let counts = try Support.countsPerStep(SPS.self, steps: 4)
        #expect(counts == Array(repeating: Support.counts(gradients: 1, examples: 128), count: 4))
    }

    @Test func smokeTrialOnRegression() throws {
        let outcome = try Support.smokeTrial(SPS.self)
        #expect(outcome.stateBytes == 8)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(SPS.self, workload: Support.mlpRegression())
    }
}
