import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct LAMBAdaptiveBatchTests {
    typealias Support = OracleMethodTestSupport

    @Test func trainsAtItsOwnBatchSizeWithSquareRootScaledLAMB() throws {
        // k = 4: batch 4·128 = 512, rate √4·η, schedule over step_hint/4 — LAMB itself with
        // those settings on the same batches, bit for bit.
        let w = try Support.smallRegression()
        let budget = Budget(maxRuntimeSeconds: 1, stepHint: 400)
        let h = LAMBAdaptiveBatch.defaultHyperparameters.merging(Hyperparameters(["batch_multiplier": 4, "learning_rate": 0.01]))
        var adaptive = try LAMBAdaptiveBatch(info: w.info, hyperparameters: h, budget: budget)
        var lamb = try LAMB(info: w.info, hyperparameters: h.merging(Hyperparameters(["learning_rate": 0.02])),
                            budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var a = w.initialParameters(seed: 2), b = a
        let oracleA = Support.oracle(w, seed: 5), oracleB = Support.oracle(w, seed: 5)
        oracleB.batchSize = 512
        for step in 0..<8 {
            if step > 0 { oracleA.drawBatch() }
            oracleB.drawBatch()
            try adaptive.step(&a, oracle: oracleA, context: Support.context(step, stepHint: 400))
            try lamb.step(&b, oracle: oracleB, context: Support.context(step, stepHint: 100))
            #expect(oracleA.batchSize == 512 && oracleA.currentBatchSize == 512)
        }
        #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern))
    }

    @Test func oneGradientPerStepOnTheLargeBatch() throws {
        let counts = try Support.countsPerStep(LAMBAdaptiveBatch.self, steps: 3)
        #expect(counts == [
            Support.counts(gradients: 1, examples: 128 + 1024),
            Support.counts(gradients: 1, examples: 1024),
            Support.counts(gradients: 1, examples: 1024),
        ])
    }

    @Test func batchIsCappedByTheTrainingSet() throws {
        let w = try Support.smallRegression()
        let method = try LAMBAdaptiveBatch(info: w.info, hyperparameters: LAMBAdaptiveBatch.defaultHyperparameters.merging(
            Hyperparameters(["batch_multiplier": 16])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        #expect(method.batchSize == 1024)
    }

    @Test func smokeTrialOnRegression() throws {
        let outcome = try Support.smokeTrial(LAMBAdaptiveBatch.self)
        #expect(outcome.stateBytes == 2 * 257 * 4)
        #expect(try #require(outcome.evaluations.last).examples == 128 + 1024 * outcome.steps)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(LAMBAdaptiveBatch.self, workload: Support.mlpRegression())
    }
}
