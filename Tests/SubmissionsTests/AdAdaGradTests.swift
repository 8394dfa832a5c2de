import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Submissions

@Suite struct AdAdaGradTests {
    typealias Support = OracleMethodTestSupport

    /// Four hand-made sub-batch gradients of a two-parameter model, b = 8 (m = 2 each).
    static func handMadeParts() -> [(loss: Float, gradient: ParameterSet)] {
        var layout = ParameterLayout()
        layout.add("w", shape: [2], kind: .weight)
        return [[1, 0], [3, 0], [1, 2], [3, -2]].map { (0, ParameterSet(layout: layout, values: $0)) }
    }

    static func sizer(test: Int, constant: Double, coordinateWise: Bool = false) throws -> AdaptiveBatchSizeTest {
        var layout = ParameterLayout()
        layout.add("w", shape: [2], kind: .weight)
        let info = WorkloadInfo(name: "t", layout: layout, lossType: .custom, defaultBatchSize: 8, stepHint: 10, trainingExamples: nil)
        return try AdaptiveBatchSizeTest(hyperparameters: Hyperparameters([
            "test": Double(test), "test_constant": constant, "parts": 4, "max_batch_factor": 32,
        ]), info: info, allowsCoordinateWise: coordinateWise)
    }

    @Test func normAndInnerProductTestsMatchHandComputedBatchSizes() throws {
        // ḡ = (2, 0), ‖ḡ‖² = 4; Σ_p‖g_p − ḡ‖² = 12, per-example variance m/(P−1)·12 = 8.
        var mean = [Float](repeating: 0, count: 2)
        #expect(try Self.sizer(test: 0, constant: 0.5).nextBatchSize(current: 8, subBatches: Self.handMadeParts(), mean: &mean) == 8)
        #expect(mean == [2, 0])
        // 8 / (0.25² · 4) = 32.
        #expect(try Self.sizer(test: 0, constant: 0.25).nextBatchSize(current: 8, subBatches: Self.handMadeParts(), mean: &mean) == 32)
        // ⟨g_p, ḡ⟩ = 2, 6, 2, 6: variance 2/3·16 = 32/3; θ = 0.1: (32/3)/(0.01·16) = 66.7 → 67 → 68 (multiple of P).
        #expect(try Self.sizer(test: 1, constant: 0.1).nextBatchSize(current: 8, subBatches: Self.handMadeParts(), mean: &mean) == 68)
        #expect(try Self.sizer(test: 1, constant: 0.5).nextBatchSize(current: 8, subBatches: Self.handMadeParts(), mean: &mean) == 8)
        // Capped at 32 × 8 = 256.
        #expect(try Self.sizer(test: 0, constant: 0.01).nextBatchSize(current: 8, subBatches: Self.handMadeParts(), mean: &mean) == 256)
    }

    @Test func coordinateWiseTestAsksForTheNoisiestCoordinate() throws {
        func parts(_ values: [[Float]]) -> [(loss: Float, gradient: ParameterSet)] {
            var layout = ParameterLayout()
            layout.add("w", shape: [2], kind: .weight)
            return values.map { (0, ParameterSet(layout: layout, values: $0)) }
        }
        var mean = [Float](repeating: 0, count: 2)
        // ḡ = (2, 2); per-example variances m/(P−1)·Σ_p(g_pj − ḡ_j)² = 2/3·4 = 8/3 and 2/3·1 = 2/3.
        let uneven = parts([[1, 1.5], [3, 1.5], [1, 2.5], [3, 2.5]])
        // Coordinate-wise, η = 0.25: max(8/3, 2/3) / (0.0625 · 4) = 10.67 → 11 → 12 (multiple of P).
        #expect(try Self.sizer(test: 2, constant: 0.25, coordinateWise: true).nextBatchSize(current: 8, subBatches: uneven, mean: &mean) == 12)
        #expect(mean == [2, 2])
        // The norm test pools them: (10/3) / (0.0625 · 8) = 6.67, so the batch stays at 8.
        #expect(try Self.sizer(test: 0, constant: 0.25).nextBatchSize(current: 8, subBatches: uneven, mean: &mean) == 8)
        // A coordinate without signal or spread asks nothing; one with spread but no signal asks the cap.
        let silent = parts([[1, 0], [3, 0], [1, 0], [3, 0]])
        #expect(try Self.sizer(test: 2, constant: 0.25, coordinateWise: true).nextBatchSize(current: 8, subBatches: silent, mean: &mean) == 12)
        #expect(try Self.sizer(test: 2, constant: 0.25, coordinateWise: true).nextBatchSize(current: 8, subBatches: Self.handMadeParts(), mean: &mean) == 256)
    }

    @Test func coordinateWiseTestIsRefusedWhereStepSizesAreNotPerCoordinate() throws {
        #expect(throws: HyperparameterError.self) { try Self.sizer(test: 2, constant: 0.25) }
        let w = try Support.smallRegression()
        #expect(throws: HyperparameterError.self) {
            try AdAdaGradNorm(info: w.info, hyperparameters: AdAdaGradNorm.defaultHyperparameters.merging(Hyperparameters(["test": 2])),
                              budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        }
        _ = try AdAdaGrad(info: w.info, hyperparameters: AdAdaGrad.defaultHyperparameters.merging(Hyperparameters(["test": 2])),
                          budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
    }

    @Test func batchSizeGrowsWhenGradientNoiseDominates() throws {
        // At the true parameters the batch gradient is pure noise; far from them, signal.
        let w = try Support.smallRegression()
        let sizer = try AdaptiveBatchSizeTest(hyperparameters: Hyperparameters(["test_constant": 0.5, "parts": 8]), info: w.info)
        let oracle = Support.oracle(w, batchSize: 64)
        let truth = try #require(w.trueParameters)
        var far = truth
        for i in far.values.indices { far.values[i] += 3 * Float(i % 3) - 3 }
        var mean = [Float](repeating: 0, count: truth.values.count)
        let atTruth = sizer.nextBatchSize(current: 64, subBatches: oracle.subBatchGradients(at: truth, parts: 8), mean: &mean)
        let atFar = sizer.nextBatchSize(current: 64, subBatches: oracle.subBatchGradients(at: far, parts: 8), mean: &mean)
        #expect(atTruth > 64, "noise-dominated gradient must ask for a larger batch (got \(atTruth))")
        #expect(atFar == 64, "signal-dominated gradient keeps the batch (asked \(atFar))")

        // Through the submission: one step at the truth grows the oracle's batch size.
        var method = try AdAdaGrad(info: w.info, hyperparameters: AdAdaGrad.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = truth
        let fresh = Support.oracle(w)
        try method.step(&theta, oracle: fresh, context: Support.context(0))
        #expect(fresh.currentBatchSize == 8)
        #expect(fresh.batchSize > 8)
        #expect(fresh.batchSize % 8 == 0)
    }

    @Test func firstStepIsAdagradOnTheMeanOfTheSubBatchGradients() throws {
        let w = try Support.smallRegression()
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        let rate = 0.05
        var method = try AdAdaGrad(info: w.info, hyperparameters: AdAdaGrad.defaultHyperparameters.merging(Hyperparameters([
            "learning_rate": rate, "warmup_fraction": 0, "min_lr_factor": 1,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        let parts = oracle.subBatchGradients(at: theta0, parts: 8)
        for i in theta0.values.indices {
            let g = parts.reduce(0.0) { $0 + Double($1.gradient.values[i]) } / 8
            let expected = Double(theta0.values[i]) - rate * g / (abs(g) + 1e-10)
            #expect(abs(Double(theta.values[i]) - expected) <= 1e-5, "coordinate \(i)")
        }
    }

    @Test func partsGradientEvaluationsPerStepAndGrowingExamples() throws {
        let counts = try Support.countsPerStep(AdAdaGrad.self, steps: 6)
        #expect(counts.allSatisfy { $0.gradientEvaluations == 8 && $0.hessianVectorProducts == 0 && $0.functionEvaluations == 0 })
        #expect(counts[0].examples == 128 + 8)  // the runner's default draw, then the initial batch
        let sizes = counts.dropFirst().map(\.examples)
        #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(sizes.allSatisfy { $0 % 8 == 0 && $0 >= 8 && $0 <= 32 * 128 })
    }

    @Test func smokeTrialOnRegression() throws {
        let outcome = try Support.smokeTrial(AdAdaGrad.self)
        #expect(outcome.stateBytes == 257 * 4)
        let last = try #require(outcome.evaluations.last)
        let examples = try #require(last.examples)
        #expect(examples > 40 * 8, "the batch grew: \(examples) examples in 40 steps")
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(AdAdaGrad.self, workload: Support.mlpRegression())
    }
}
