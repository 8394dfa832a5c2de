import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct PolyakMomentumTests {
    typealias Support = OracleMethodTestSupport

    @Test func withoutMomentumEachStepIsSPSMax() throws {
        // β = 0: θ ← θ − min(f_B/(c‖g‖²), γ_b)·g on each fresh batch, with γ_b the first
        // step's Polyak value × 1.5, so that it binds on some steps and not on others.
        let w = try Support.smallRegression()
        let c = 0.5
        var theta = w.initialParameters(seed: 4)
        let oracle = Support.oracle(w, seed: 9)
        var probe = ParameterSet.zeros(like: theta)
        let f0 = Double(oracle.gradient(at: theta, into: &probe))
        let cap = 1.5 * f0 / (c * probe.values.reduce(0.0) { $0 + Double($1) * Double($1) })
        var method = try PolyakMomentum(info: w.info, hyperparameters: Hyperparameters([
            "c": c, "beta": 0, "max_step_size": cap,
        ]), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var capped = 0, uncapped = 0
        for step in 0..<30 {
            if step > 0 { oracle.drawBatch() }
            let before = theta
            var g = ParameterSet.zeros(like: theta)
            let f = Double(oracle.gradient(at: before, into: &g))
            let norm = g.values.reduce(0.0) { $0 + Double($1) * Double($1) }
            let polyak = f / (c * norm)
            if polyak > cap { capped += 1 } else { uncapped += 1 }
            let gamma = min(polyak, cap)
            try method.step(&theta, oracle: oracle, context: Support.context(step))
            for i in theta.values.indices {
                let expected = Double(before.values[i]) - gamma * Double(g.values[i])
                #expect(abs(Double(theta.values[i]) - expected) <= 1e-6 * max(1, abs(expected)))
            }
        }
        #expect(capped > 0 && uncapped > 0, "capped \(capped), uncapped \(uncapped)")
    }

    @Test func secondStepIsAPolyakStepAlongTheMomentumSum() throws {
        // d₁ = g₀, θ₁ = θ₀ − γ₀d₁; d₂ = βd₁ + g₁, θ₂ = θ₁ − γ₁d₂ with γ = min(f/(c‖d‖²), γ_max).
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let (beta, c, cap) = (0.9, 1.0, 1e9)
        var method = try PolyakMomentum(info: w.info, hyperparameters: Hyperparameters([
            "c": c, "beta": beta, "max_step_size": cap,
        ]), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        let theta0 = w.initialParameters(seed: 2)
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        let theta1 = theta
        try method.step(&theta, oracle: oracle, context: Support.context(1))
        var g0 = ParameterSet.zeros(like: theta0), g1 = ParameterSet.zeros(like: theta0)
        let f0 = Double(oracle.gradient(at: theta0, into: &g0))
        let f1 = Double(oracle.gradient(at: theta1, into: &g1))
        let d1 = g0.values.map(Double.init)
        let d2 = theta0.values.indices.map { beta * d1[$0] + Double(g1.values[$0]) }
        let gamma0 = min(f0 / (c * d1.reduce(0) { $0 + $1 * $1 }), cap)
        let gamma1 = min(f1 / (c * d2.reduce(0) { $0 + $1 * $1 }), cap)
        for i in theta0.values.indices {
            let first = Double(theta0.values[i]) - gamma0 * d1[i]
            #expect(abs(Double(theta1.values[i]) - first) <= 1e-5 * max(1, abs(first)))
            let second = Double(theta1.values[i]) - gamma1 * d2[i]
            #expect(abs(Double(theta.values[i]) - second) <= 1e-5 * max(1, abs(second)), "coordinate \(i)")
        }
    }

    @Test func oneGradientPerStep() throws {
        let counts = try Support.countsPerStep(PolyakMomentum.self, steps: 4)
        #expect(counts == Array(repeating: Support.counts(gradients: 1, examples: 128), count: 4))
    }

    @Test func smokeTrialOnRegression() throws {
        let outcome = try Support.smokeTrial(PolyakMomentum.self)
        #expect(outcome.stateBytes == 257 * 4)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(PolyakMomentum.self, workload: Support.mlpRegression())
    }
}
