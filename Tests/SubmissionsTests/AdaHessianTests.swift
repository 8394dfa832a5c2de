import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Submissions

@Suite struct AdaHessianTests {
    typealias Support = OracleMethodTestSupport

    @Test func hutchinsonEstimateConvergesToTheExactHessianDiagonal() throws {
        // The regression workload's linear model has the exact Hessian (2/n)AᵀA, A = [X 1].
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta = w.initialParameters(seed: 2)
        let d = theta.values.count
        let hessian = Support.exactHessian(oracle, at: theta)
        #expect(abs(hessian[(d - 1) * d + (d - 1)] - 2) < 1e-5, "bias curvature is 2 for the mean squared error")
        var hutchinson = HutchinsonDiagonal(layout: w.info.layout)
        func errors(samples: Int, seed: UInt64) -> [Double] {
            var generator = RandomGenerator(seed: seed)
            var estimate = [Float](repeating: 0, count: d)
            hutchinson.estimate(at: theta, oracle: oracle, generator: &generator, samples: samples, into: &estimate)
            return (0..<d).map { Double(estimate[$0]) - hessian[$0 * d + $0] }
        }
        let coarse = errors(samples: 16, seed: 1), fine = errors(samples: 4096, seed: 2)
        for i in 0..<d {
            // Per probe, coordinate i's variance is Σ_{j≠i} H_ij²; allow 5 standard errors.
            let offDiagonal = (0..<d).filter { $0 != i }.reduce(0.0) { $0 + hessian[i * d + $1] * hessian[i * d + $1] }
            let tolerance = 5 * (offDiagonal / 4096).squareRoot() + 1e-5
            #expect(abs(fine[i]) <= tolerance, "coordinate \(i): error \(fine[i]), tolerance \(tolerance)")
        }
        let coarseMean = coarse.reduce(0) { $0 + abs($1) } / Double(d)
        let fineMean = fine.reduce(0) { $0 + abs($1) } / Double(d)
        // 256 times the probes: the error shrinks ~16-fold; demand at least 4.
        #expect(fineMean < coarseMean / 4, "mean error \(coarseMean) with 16 probes, \(fineMean) with 4096")
        #expect(coarseMean > 1e-3, "the estimate is stochastic")
    }

    @Test func firstStepIsTheGradientOverTheHutchinsonDiagonal() throws {
        // Step 1: m̂ = g and √v̂ = |D|, so θ₁ = θ₀ − η·g/(|D| + ε).
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        let (rate, epsilon) = (0.05, 1e-4)
        var method = try AdaHessian(info: w.info, hyperparameters: AdaHessian.defaultHyperparameters.merging(Hyperparameters([
            "learning_rate": rate, "warmup_fraction": 0, "min_lr_factor": 1, "epsilon": epsilon,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        var g = ParameterSet.zeros(like: theta0)
        oracle.gradient(at: theta0, into: &g)
        var generator = oracle.probeGenerator(AdaHessian.name, step: 0)
        var diagonal = [Float](repeating: 0, count: theta0.values.count)
        var hutchinson = HutchinsonDiagonal(layout: w.info.layout)
        hutchinson.estimate(at: theta0, oracle: oracle, generator: &generator, samples: 1, into: &diagonal)
        for i in theta0.values.indices {
            let expected = Double(theta0.values[i]) - rate * Double(g.values[i]) / (abs(Double(diagonal[i])) + epsilon)
            #expect(abs(Double(theta.values[i]) - expected) <= 1e-5 * max(1, abs(expected)), "coordinate \(i)")
        }
    }

    @Test func convolutionKernelsAverageOverTheirSpatialWindow() throws {
        var layout = ParameterLayout()
        layout.add("conv.weight", shape: [2, 1, 2, 2], kind: .convWeight)
        layout.add("conv.bias", shape: [2], kind: .bias)
        let info = WorkloadInfo(name: "test", layout: layout, lossType: .custom, defaultBatchSize: 4, stepHint: 10, trainingExamples: nil)
        var method = try AdaHessian(info: info, hyperparameters: AdaHessian.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        method.diagonal = [1, -3, 2, 2, -4, 0, 0, 0, -5, 6]
        method.averageSpatially()
        #expect(method.diagonal == [2, 2, 2, 2, 1, 1, 1, 1, 5, 6])
    }

    @Test func oneGradientAndOneHVPPerRefresh() throws {
        #expect(try Support.countsPerStep(AdaHessian.self, steps: 3)
            == Array(repeating: Support.counts(gradients: 1, hvps: 1, examples: 128), count: 3))
        let sparse = try Support.countsPerStep(
            AdaHessian.self, AdaHessian.defaultHyperparameters.merging(Hyperparameters(["update_each": 3])), steps: 5)
        #expect(sparse.map(\.hessianVectorProducts) == [1, 0, 0, 1, 0])
        #expect(sparse.map(\.gradientEvaluations) == [1, 1, 1, 1, 1])
    }

    @Test func smokeTrialOnRegression() throws {
        let outcome = try Support.smokeTrial(AdaHessian.self)
        #expect(outcome.stateBytes == 2 * 257 * 4)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(AdaHessian.self, workload: Support.mlpRegression())
    }
}
