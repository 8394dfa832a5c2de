import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct MicroAdamTests {
    static let hyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.01, "density": 1,
        "window": 50, "warmup_fraction": 0,
    ])

    @Test func uncompressedWithAFullWindowIsAdamW() throws {
        let workload = ToyRegression()
        let micro = try SubmissionDriver.run(MicroAdam.self, on: workload, hyperparameters: Self.hyperparameters, steps: 30)
        let adamw = try SubmissionDriver.run(AdamW.self, on: workload, hyperparameters: Self.hyperparameters, steps: 30)
        #expect(SubmissionDriver.maxRelativeDifference(micro.parameters, adamw.parameters) < 1e-4)
        // A window shorter than the run forgets old gradients: no longer AdamW.
        let short = try SubmissionDriver.run(
            MicroAdam.self, on: workload, hyperparameters: Self.hyperparameters.merging(Hyperparameters(["window": 3])), steps: 30)
        #expect(SubmissionDriver.maxRelativeDifference(short.parameters, adamw.parameters) > 1e-3)
    }

    @Test func topKOfTheErrorCorrectedGradientAndQuantisedErrorFeedback() throws {
        // One 10 × 20 matrix: k = ⌈0.05 · 200⌉ = 10; 4 blocks of 64 (the last of 8).
        let workload = LayoutQuadratic([("w", [10, 20], .weight)])
        let hp = Self.hyperparameters.merging(Hyperparameters(["density": 0.05, "window": 4]))
        var error = [Float](repeating: 0, count: 200)
        _ = try SubmissionDriver.run(MicroAdam.self, on: workload, hyperparameters: hp, steps: 8) { step, _, _, micro in
            let plan = micro.plans[0]
            #expect(plan.k == 10)
            let a = (0..<200).map { micro.gradient.values[$0] + error[$0] }
            let slot = (step % 4) * 10
            let chosen = (0..<10).map { Int(micro.windowIndices[slot + $0]) }
            // The k largest |a|.
            let threshold = chosen.map { abs(a[$0]) }.min()!
            #expect((0..<200).filter { !chosen.contains($0) }.allSatisfy { abs(a[$0]) <= threshold })
            for (j, i) in chosen.enumerated() { #expect(micro.windowValues[slot + j] == a[i]) }
            // New error: the rest of a, within half a 4-bit step of its block's range.
            var rest = a
            for i in chosen { rest[i] = 0 }
            var codes = micro.errorCodes, ranges = micro.errorRanges
            codes.withUnsafeMutableBufferPointer { c in
                ranges.withUnsafeMutableBufferPointer { r in
                    for i in 0..<200 {
                        let block = i / 64
                        let halfStep = (r[2 * block + 1] - r[2 * block]) / 30
                        error[i] = MicroAdam.errorValue(c, r, plan: plan, i)
                        #expect(abs(error[i] - rest[i]) <= halfStep * 1.0001 + 1e-7)
                    }
                }
            }
        }
    }

    @Test func stateBytesAgainstAdamW() throws {
        // 256 × 256: k = 656, 10-step window of (Int32, Float), 4-bit error, 1024 blocks of (min, max).
        #expect(try SubmissionDriver.referenceStateBytes(MicroAdam.self) == 10 * 656 * 8 + 32768 + 1024 * 8)  // 93,440
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(MicroAdam.self)
    }

    @Test func invalidHyperparameterIsRejectedByName() {
        let workload = ToyRegression()
        #expect(throws: HyperparameterError.invalid(name: "window", value: 0, expected: "an integer in 1...1000")) {
            _ = try MicroAdam(
                info: workload.info, hyperparameters: MicroAdam.defaultHyperparameters.merging(Hyperparameters(["window": 0])),
                budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        }
    }
}
