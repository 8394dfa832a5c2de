import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct GramsTests {
    static let hyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "warmup_fraction": 0,
    ])

    @Test func directionIsTheGradientSignAndMagnitudeIsAdams() throws {
        let workload = ToyRegression()
        var disagreements = 0
        _ = try SubmissionDriver.run(Grams.self, on: workload, hyperparameters: Self.hyperparameters, steps: 30) {
            step, before, after, grams in
            let rate = Float(grams.schedule.learningRate(at: step))
            let t = Double(step + 1)
            let c1 = Float(1 - pow(0.9, t)), c2 = Float(1 - pow(0.999, t))
            for i in before.values.indices {
                let g = grams.gradient.values[i]
                let adam = (grams.moments.first[i] / c1) / ((grams.moments.second[i] / c2).squareRoot() + 1e-8)
                let delta = after.values[i] - before.values[i]
                let expected = g > 0 ? -rate * abs(adam) : (g < 0 ? rate * abs(adam) : 0)
                #expect(abs(delta - expected) <= 1e-6 * max(1, abs(before.values[i])) + 1e-3 * abs(expected))
                // Momentum and gradient disagree somewhere, so the rule differs from Adam's.
                if (adam > 0) != (g > 0), g != 0 { disagreements += 1 }
            }
        }
        #expect(disagreements > 0)
    }

    @Test func firstStepEqualsAdamW() throws {
        // At t = 1 the momentum is (1−β₁)g, whose sign is the gradient's.
        let workload = ToyRegression()
        let hp = Self.hyperparameters.merging(Hyperparameters(["weight_decay": 0.1]))
        let grams = try SubmissionDriver.run(Grams.self, on: workload, hyperparameters: hp, steps: 1)
        let adamw = try SubmissionDriver.run(AdamW.self, on: workload, hyperparameters: hp, steps: 1)
        #expect(SubmissionDriver.maxRelativeDifference(grams.parameters, adamw.parameters) < 1e-6)
        let later = try SubmissionDriver.run(Grams.self, on: workload, hyperparameters: hp, steps: 20)
        let laterAdamW = try SubmissionDriver.run(AdamW.self, on: workload, hyperparameters: hp, steps: 20)
        #expect(SubmissionDriver.maxRelativeDifference(later.parameters, laterAdamW.parameters) > 1e-3)
    }

    @Test func stateIsTwoMoments() throws {
        let grams = try SubmissionDriver.referenceStateBytes(Grams.self)
        let adamw = try SubmissionDriver.referenceStateBytes(AdamW.self)
        #expect(grams == 2 * 65536 * 4)
        #expect(adamw == 524_288)
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(Grams.self)
    }
}
