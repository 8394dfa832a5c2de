import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Submissions

@Suite struct SophiaTests {
    typealias Support = OracleMethodTestSupport

    @Test func firstStepIsTheClippedPreconditionedMomentum() throws {
        // The paper's timing (estimate before the update of step 0):
        // h = (1−β₂)ĥ, m = (1−β₁)g; θ₁ = θ₀(1 − ηλ) − η·clip(m/max(γh, ε), ±1).
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        let (rate, decay, gamma, beta1, beta2) = (0.01, 0.2, 0.01, 0.96, 0.99)
        var method = try Sophia(info: w.info, hyperparameters: Sophia.defaultHyperparameters.merging(Hyperparameters([
            "learning_rate": rate, "warmup_fraction": 0, "min_lr_factor": 1, "curvature_after_step": 0,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        var g = ParameterSet.zeros(like: theta0)
        oracle.gradient(at: theta0, into: &g)
        var generator = oracle.probeGenerator(Sophia.name, step: 0)
        var estimate = [Float](repeating: 0, count: theta0.values.count)
        var hutchinson = HutchinsonDiagonal(layout: w.info.layout)
        hutchinson.estimate(at: theta0, oracle: oracle, generator: &generator, samples: 1, into: &estimate)
        var clipped = 0
        for i in theta0.values.indices {
            let m = (1 - beta1) * Double(g.values[i])
            let h = (1 - beta2) * Double(estimate[i])
            let ratio = m / max(gamma * h, 1e-12)
            if abs(ratio) >= 1 { clipped += 1 }
            let expected = Double(theta0.values[i]) * (1 - rate * decay) - rate * min(1, max(-1, ratio))
            #expect(abs(Double(theta.values[i]) - expected) <= 1e-6 * max(1, abs(expected)), "coordinate \(i)")
            // Every coordinate moves at most η beyond its decay.
            #expect(abs(Double(theta.values[i]) - Double(theta0.values[i]) * (1 - rate * decay)) <= rate * (1 + 1e-5))
        }
        #expect(clipped > 0, "on the first step the momentum is small but so is h: some ratios clip")
    }

    /// The authors' script timing (the default): no curvature before step k, so the first
    /// steps are θ₁ = θ₀(1 − ηλ) − η·sign(g) exactly (m/ε clips wherever g ≠ 0).
    @Test func firstStepsBeforeAnyEstimateAreSignSteps() throws {
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        let (rate, decay) = (0.01, 0.2)
        var method = try Sophia(info: w.info, hyperparameters: Sophia.defaultHyperparameters.merging(Hyperparameters([
            "learning_rate": rate, "warmup_fraction": 0, "min_lr_factor": 1,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        var g = ParameterSet.zeros(like: theta0)
        oracle.gradient(at: theta0, into: &g)
        for i in theta0.values.indices where g.values[i] != 0 {
            let expected = Double(theta0.values[i]) * (1 - rate * decay) - rate * (g.values[i] > 0 ? 1 : -1)
            #expect(abs(Double(theta.values[i]) - expected) <= 1e-6 * max(1, abs(expected)), "coordinate \(i)")
        }
    }

    @Test func hessianRefreshedEveryKSteps() throws {
        // The script: after the updates of steps k−1, 2k−1, …; the paper: before 0, k, 2k, ….
        let counts = try Support.countsPerStep(Sophia.self, steps: 12)
        #expect(counts.map(\.hessianVectorProducts) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0])
        let paper = try Support.countsPerStep(
            Sophia.self, Sophia.defaultHyperparameters.merging(Hyperparameters(["curvature_after_step": 0])), steps: 12)
        #expect(paper.map(\.hessianVectorProducts) == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
        #expect(counts.allSatisfy { $0.gradientEvaluations == 1 && $0.functionEvaluations == 0 && $0.examples == 128 })
    }

    @Test func smokeTrialOnRegression() throws {
        let outcome = try Support.smokeTrial(Sophia.self)
        #expect(outcome.stateBytes == 2 * 257 * 4)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(Sophia.self, workload: Support.mlpRegression())
    }
}
