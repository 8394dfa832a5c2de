import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct MARSAdamWTests {
    /// AdamW-compatible settings: the same β's and decay for matrices and vectors.
    static func hyperparameters(gamma: Double, approximate: Bool) -> Hyperparameters {
        Hyperparameters([
            "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.01, "warmup_fraction": 0,
            "gamma": gamma, "approximate": approximate ? 1 : 0, "beta1_1d": 0.9, "beta2_1d": 0.999,
            "weight_decay_1d": 0.01,
        ])
    }

    /// A quadratic with an optimum near zero, so every tensor's gradient norm stays below
    /// the clip threshold 1.
    static var workload: LayoutQuadratic {
        LayoutQuadratic([("weight", [4, 5], .weight), ("bias", [4], .bias)], centerScale: 0.05)
    }

    @Test(arguments: [true, false])
    func zeroCorrectionWeightIsAdamW(approximate: Bool) throws {
        let hp = Self.hyperparameters(gamma: 0, approximate: approximate)
        var largestNorm: Float = 0
        let mars = try SubmissionDriver.run(MARSAdamW.self, on: Self.workload, hyperparameters: hp, steps: 40) { _, _, _, s in
            for view in s.gradient.views where view.shape.count >= 2 {
                let norm = s.gradient.values[view.range].reduce(0) { $0 + $1 * $1 }.squareRoot()
                largestNorm = max(largestNorm, norm)
            }
        }
        #expect(largestNorm < 1, "the comparison needs unclipped gradients")
        let adamw = try SubmissionDriver.run(AdamW.self, on: Self.workload, hyperparameters: hp, steps: 40)
        #expect(SubmissionDriver.maxRelativeDifference(mars.parameters, adamw.parameters) < 1e-5)
        let withCorrection = try SubmissionDriver.run(
            MARSAdamW.self, on: Self.workload, hyperparameters: Self.hyperparameters(gamma: 0.5, approximate: approximate),
            steps: 40)
        #expect(SubmissionDriver.maxRelativeDifference(withCorrection.parameters, adamw.parameters) > 1e-3)
    }

    @Test(arguments: [true, false])
    func momentumTakesTheClippedCorrectedGradient(approximate: Bool) throws {
        let gamma: Float = 0.5, beta1: Float = 0.9
        let workload = ToyRegression()
        var momentum: [Float] = []
        var lastGradient: [Float] = []
        var clipped = 0
        let run = try SubmissionDriver.run(
            MARSAdamW.self, on: workload, hyperparameters: Self.hyperparameters(gamma: Double(gamma), approximate: approximate),
            steps: 12
        ) { step, before, _, s in
            if step > 0 {
                if !approximate {
                    // Exact variant: g̃ is the gradient at the previous parameters on this batch.
                    #expect(s.previousParameters == before)
                }
                let reference = approximate ? lastGradient : s.previousGradient.values
                for view in s.gradient.views where view.shape.count >= 2 {
                    var c = view.range.map { i in
                        s.gradient.values[i] + gamma * beta1 / (1 - beta1) * (s.gradient.values[i] - reference[i])
                    }
                    let norm = c.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    if norm > 1 {
                        clipped += 1
                        c = c.map { $0 / norm }
                    }
                    for (k, i) in view.range.enumerated() {
                        let expected = beta1 * momentum[i] + (1 - beta1) * c[k]
                        #expect(abs(s.moments.first[i] - expected) <= 1e-5 * max(1, abs(expected)))
                    }
                }
            }
            momentum = s.moments.first
            lastGradient = s.gradient.values
        }
        #expect(clipped > 0)
        #expect(run.losses.count == 12)
    }

    @Test func exactVariantCallsTheOracleTwicePerStepAfterTheFirst() throws {
        let workload = ToyRegression()
        for (approximate, expected) in [(true, 10), (false, 19)] {
            var submission = try MARSAdamW(
                info: workload.info, hyperparameters: Self.hyperparameters(gamma: 0.025, approximate: approximate),
                budget: Budget(maxRuntimeSeconds: 5, stepHint: 10))
            let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 1))
            var parameters = workload.initialParameters(seed: 1)
            for step in 0..<10 {
                oracle.drawBatch()
                let before = parameters
                try submission.step(
                    &parameters, oracle: oracle, context: StepContext(step: step, stepHint: 10, submissionTime: 0, lastEvaluation: nil))
                // The logged loss is the one at the parameters the step started from.
                let logged = oracle.lastLoss
                #expect(logged == oracle.loss(at: before))
            }
            #expect(oracle.counts.gradientEvaluations == expected)
        }
    }

    @Test func stateBytesCountMomentsAndTheStoredPreviousVector() throws {
        let approximate = try SubmissionDriver.referenceStateBytes(MARSAdamW.self)
        let exact = try SubmissionDriver.referenceStateBytes(MARSAdamW.self, overrides: Hyperparameters(["approximate": 0]))
        #expect(approximate == 3 * 65536 * 4)
        #expect(exact == 3 * 65536 * 4)
    }

    @Test(arguments: [1.0, 0.0])
    func smokeTrial(approximate: Double) throws {
        try SubmissionDriver.smokeTrial(MARSAdamW.self)
        let workload = ToyRegression()
        let run = try SubmissionDriver.run(
            MARSAdamW.self, on: workload,
            hyperparameters: MARSAdamW.defaultHyperparameters.merging(Hyperparameters(["approximate": approximate])), steps: 100)
        #expect(workload.fullLoss(run.parameters) < workload.fullLoss(workload.initialParameters(seed: 7)))
    }
}
