import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct SCALETests {
    static let hyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "adam_learning_rate": 3e-3, "one_minus_momentum": 0.1, "weight_decay": 0,
        "warmup_fraction": 0,
    ])

    @Test func rulesFollowRankKindAndPosition() throws {
        let workload = LayoutQuadratic([
            ("embedding", [10, 4], .embedding), ("conv", [3, 2, 2, 2], .convWeight), ("norm", [4], .normScale),
            ("head", [5, 4], .weight), ("head.bias", [5], .bias),
        ])
        let scale = try SCALE(info: workload.info, hyperparameters: Self.hyperparameters, budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        #expect(scale.rules == [
            .normalised(overRows: true), .normalised(overRows: false), .adam, .momentum(offset: 0), .adam,
        ])
        #expect(scale.vectors.offsets == [nil, nil, 0, nil, 4])
        #expect(scale.stateBytes == (20 + 2 * 9) * 4)
    }

    @Test func hiddenMatricesTakeTheRowNormalisedGradientAndTheHeadItsMomentum() throws {
        let workload = ToyRegression()
        let views = workload.info.layout.views
        let hidden = views[0], head = views[2]
        var momentum = [Float](repeating: 0, count: head.count)
        _ = try SubmissionDriver.run(SCALE.self, on: workload, hyperparameters: Self.hyperparameters, steps: 10) {
            step, before, after, scale in
            let rate = Float(scale.schedule.learningRate(at: step))
            // Hidden layer: stateless; every row of the step has RMS exactly η.
            for r in 0..<hidden.shape[0] {
                let columns = hidden.shape[1]
                let g = (0..<columns).map { scale.gradient.values[hidden.offset + r * columns + $0] }
                let rms = (g.reduce(0) { $0 + $1 * $1 } / Float(columns)).squareRoot()
                for c in 0..<columns {
                    let i = hidden.offset + r * columns + c
                    #expect(abs((before.values[i] - after.values[i]) - rate * g[c] / rms) <= 1e-6)
                }
                let stepRMS = ((0..<columns).map { c -> Float in
                    let i = hidden.offset + r * columns + c
                    return (before.values[i] - after.values[i]) * (before.values[i] - after.values[i])
                }.reduce(0, +) / Float(columns)).squareRoot()
                #expect(abs(stepRMS - rate) <= 1e-3 * rate)
            }
            // Head: the momentum, row-normalised.
            let stored = Array(scale.momentum[0..<head.count])
            #expect(stored == Array(scale.gradient.values[head.range]))
            let columns = head.shape[1]
            for r in 0..<head.shape[0] {
                let m = (0..<columns).map { stored[r * columns + $0] }
                let rms = (m.reduce(0) { $0 + $1 * $1 } / Float(columns)).squareRoot()
                for c in 0..<columns {
                    let i = head.offset + r * columns + c
                    #expect(abs((before.values[i] - after.values[i]) - rate * m[c] / rms) <= 1e-6)
                }
            }
            momentum = stored
        }
        #expect(momentum.allSatisfy { $0 != 0 })
    }

    @Test func embeddingsAreNormalisedPerDimensionOverTheVocabulary() throws {
        let workload = LayoutQuadratic([("embedding", [6, 3], .embedding), ("head", [2, 3], .weight)])
        _ = try SubmissionDriver.run(SCALE.self, on: workload, hyperparameters: Self.hyperparameters, steps: 3) {
            step, before, after, scale in
            let rate = Float(scale.schedule.learningRate(at: step))
            let view = workload.info.layout.views[0]
            for c in 0..<3 {
                let g = (0..<6).map { scale.gradient.values[view.offset + $0 * 3 + c] }
                let rms = (g.reduce(0) { $0 + $1 * $1 } / 6).squareRoot()
                for r in 0..<6 {
                    let i = view.offset + r * 3 + c
                    #expect(abs((before.values[i] - after.values[i]) - rate * g[r] / rms) <= 1e-6)
                }
            }
        }
    }

    @Test func vectorOnlyLayoutIsAdamW() throws {
        let workload = LayoutQuadratic([("a", [7], .bias), ("b", [3], .normScale)])
        let hp = Self.hyperparameters.merging(Hyperparameters(["adam_learning_rate": 1e-2, "weight_decay": 0.01]))
        let scale = try SubmissionDriver.run(SCALE.self, on: workload, hyperparameters: hp, steps: 20)
        let adamw = try SubmissionDriver.run(
            AdamW.self, on: workload,
            hyperparameters: hp.merging(Hyperparameters(["one_minus_beta1": 0.1, "beta2": 0.999])), steps: 20)
        #expect(scale.parameters == adamw.parameters)
    }

    @Test func stateIsTheHeadMomentumOnly() throws {
        // The lone 256×256 matrix is the output layer: one momentum buffer (AdamW: two).
        #expect(try SubmissionDriver.referenceStateBytes(SCALE.self) == 65536 * 4)
        let twoLayers = LayoutQuadratic([("hidden", [256, 256], .weight), ("head", [10, 256], .weight)])
        let scale = try SCALE(
            info: twoLayers.info, hyperparameters: SCALE.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        #expect(scale.stateBytes == 2560 * 4)
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(SCALE.self)
    }
}
