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

    @Test func secondStepIsHeavyBallWithThePolyakRateScaledByOneMinusBeta() throws {
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let (beta, c, cap) = (0.9, 0.5, 1e9)
        var method = try PolyakMomentum(info: w.info, hyperparameters: Hyperparameters([
            "c": c, "beta": beta, "max_step_size": cap,
        ]), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        let theta0 = w.initialParameters(seed: 2)
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        let theta1 = theta
        try method.step(&theta, oracle: oracle, context: Support.context(1))
        func polyak(_ at: ParameterSet) -> (Double, ParameterSet) {
            var g = ParameterSet.zeros(like: at)
            let f = Double(oracle.gradient(at: at, into: &g))
            let norm = g.values.reduce(0.0) { $0 + Double($1) * Double($1) }
            return ((1 - beta) * min(f / (c * norm), cap), g)
        }
        let (gamma0, g0) = polyak(theta0)
        let (gamma1, g1) = polyak(theta1)
        for i in theta0.values.indices {
            let first = Double(theta0.values[i]) - gamma0 * Double(g0.values[i])
            #expect(abs(Double(theta1.values[i]) - first) <= 1e-5 * max(1, abs(first)))
            let second = Double(theta1.values[i]) - gamma1 * Double(g1.values[i])
                + beta * (Double(theta1.values[i]) - Double(theta0.values[i]))
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
}
