import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Submissions

@Suite struct DeepZeroTests {
    typealias Support = OracleMethodTestSupport

    @Test func sparseCoordinateEstimatesAreForwardDifferences() throws {
        // Only the sampled coordinates move, each by −η·(f(θ + μe_i) − f(θ))/μ, which for a
        // quadratic is −η·(∂_i f + μ/2·H_ii).
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        let (rate, mu) = (0.1, 5e-3)
        var method = try DeepZero(info: w.info, hyperparameters: DeepZero.defaultHyperparameters.merging(Hyperparameters([
            "density": 0.25, "learning_rate": rate, "min_lr_factor": 1,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        #expect(method.coordinates.count == 4 + 1)  // ⌈0.25·16⌉ weights and the bias
        #expect(method.coordinates.contains(16))
        var g = ParameterSet.zeros(like: theta0)
        oracle.gradient(at: theta0, into: &g)
        let hessian = Support.exactHessian(oracle, at: theta0)
        let d = theta0.values.count
        for i in 0..<d {
            let moved = Double(theta0.values[i]) - Double(theta.values[i])
            if method.coordinates.contains(i) {
                let expected = rate * (Double(g.values[i]) + mu / 2 * hessian[i * d + i])
                #expect(abs(moved - expected) <= 2e-4 * max(1, abs(expected) / rate), "coordinate \(i): moved \(moved), expected \(expected)")
            } else {
                #expect(moved == 0, "coordinate \(i) is outside S")
            }
        }
    }

    @Test func subsetIsRedrawnEveryPeriod() throws {
        let w = try Support.smallRegression()
        var method = try DeepZero(info: w.info, hyperparameters: DeepZero.defaultHyperparameters.merging(Hyperparameters([
            "density": 0.25, "redraw_period": 3,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = w.initialParameters(seed: 2)
        let oracle = Support.oracle(w)
        var subsets: [[Int]] = []
        for step in 0..<7 {
            try method.step(&theta, oracle: oracle, context: Support.context(step))
            subsets.append(method.coordinates)
        }
        #expect(subsets[0] == subsets[1] && subsets[1] == subsets[2])
        #expect(subsets[3] == subsets[4] && subsets[4] == subsets[5])
        #expect(subsets[0] != subsets[3] || subsets[3] != subsets[6])
    }

    @Test func onePlusSubsetSizeFunctionEvaluationsPerStep() throws {
        let counts = try Support.countsPerStep(DeepZero.self, DeepZero.defaultHyperparameters.merging(Hyperparameters(["density": 0.25])), steps: 3)
        #expect(counts == Array(repeating: Support.counts(functions: 6, examples: 128), count: 3))
    }

    @Test func smokeTrialsOnRegression() throws {
        let outcome = try Support.smokeTrial(DeepZero.self)
        #expect(outcome.stateBytes == (13 + 1) * 8)
        let momentum = try Support.smokeTrial(DeepZero.self, hyperparameters: DeepZero.defaultHyperparameters.merging(
            Hyperparameters(["momentum": 0.9, "learning_rate": 0.02])))
        #expect(momentum.stateBytes == (13 + 1) * 8 + 257 * 4)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(DeepZero.self, workload: Support.mlpRegression())
    }
}
