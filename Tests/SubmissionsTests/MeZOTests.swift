import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct MeZOTests {
    typealias Support = OracleMethodTestSupport

    @Test func estimateIsUnbiasedForAQuadratic() throws {
        // For a quadratic the central difference is exact, so ĝ = (zᵀ∇f)z and E[ĝ] = ∇f,
        // with per-coordinate variance ‖∇f‖² + ∇f_i² (Gaussian z). Recover ĝ from one
        // ZO-SGD step at rate η, ĝ = (θ₀ − θ₁)/η, over N seeded directions.
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        let rate = 1e-3
        var mezo = try MeZO(info: w.info, hyperparameters: Hyperparameters(["learning_rate": rate]),
                            budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        let n = 20_000
        let d = theta0.values.count
        var sum = [Double](repeating: 0, count: d)
        var distinct = Set<Float>()
        for k in 0..<n {
            var theta = theta0
            try mezo.step(&theta, oracle: oracle, context: Support.context(k))
            for i in 0..<d { sum[i] += (Double(theta0.values[i]) - Double(theta.values[i])) / rate }
            if k < 10 { distinct.insert(theta.values[0]) }
        }
        #expect(distinct.count == 10, "directions must differ from step to step")
        var g = ParameterSet.zeros(like: theta0)
        oracle.gradient(at: theta0, into: &g)
        let squaredNorm = g.values.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(squaredNorm > 0.1)
        for i in 0..<d {
            let mean = sum[i] / Double(n)
            let truth = Double(g.values[i])
            // 4.5 standard errors of the mean, plus rounding of θ in Float (≈ 1e-4/step, averaged).
            let tolerance = 4.5 * ((squaredNorm + truth * truth) / Double(n)).squareRoot() + 1e-3
            #expect(abs(mean - truth) <= tolerance, "coordinate \(i): mean \(mean), gradient \(truth), tolerance \(tolerance)")
        }
    }

    @Test func directionIsRegeneratedFromTheSeedNotStored() throws {
        let w = try Support.smallRegression()
        let info = w.info, budget = Budget(maxRuntimeSeconds: 1, stepHint: 100)
        let theta0 = w.initialParameters(seed: 2)
        func step(randomSeed: UInt64) throws -> ParameterSet {
            var mezo = try MeZO(info: info, hyperparameters: MeZO.defaultHyperparameters, budget: budget)
            var theta = theta0
            try mezo.step(&theta, oracle: Support.oracle(w, randomSeed: randomSeed), context: Support.context(3))
            #expect(mezo.stateBytes == 0)
            return theta
        }
        let a = try step(randomSeed: 1), b = try step(randomSeed: 1), c = try step(randomSeed: 2)
        #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern))
        #expect(a != c)
        // The update is exactly −η·p·z with z regenerated: it is parallel to the direction
        // drawn from the step's seed.
        let oracle = Support.oracle(w, randomSeed: 1)
        var generator = oracle.probeGenerator(MeZO.name, step: 3)
        var z = [Float](repeating: 0, count: theta0.values.count)
        GaussianDirection(seed: generator.next()).add(1, to: &z)
        let moves = zip(a.values, theta0.values).map { Double($0) - Double($1) }
        let ratio = moves[0] / Double(z[0])
        for i in z.indices { #expect(abs(moves[i] - ratio * Double(z[i])) < 1e-5) }
    }

    @Test func twoFunctionEvaluationsPerDirection() throws {
        #expect(try Support.countsPerStep(MeZO.self, steps: 3)
            == Array(repeating: Support.counts(functions: 2, examples: 128), count: 3))
        let three = MeZO.defaultHyperparameters.merging(Hyperparameters(["directions": 3, "adam": 1]))
        #expect(try Support.countsPerStep(MeZO.self, three, steps: 3)
            == Array(repeating: Support.counts(functions: 6, examples: 128), count: 3))
    }

    @Test func smokeTrialsOnRegression() throws {
        _ = try Support.smokeTrial(MeZO.self, steps: 100)
        let adam = try Support.smokeTrial(MeZO.self, hyperparameters: MeZO.defaultHyperparameters.merging(
            Hyperparameters(["adam": 1, "learning_rate": 1e-2])), steps: 100)
        #expect(adam.stateBytes == 2 * 257 * 4)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(MeZO.self, steps: 100, workload: Support.mlpRegression())
    }
}
