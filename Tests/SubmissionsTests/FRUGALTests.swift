import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct FRUGALTests {
    static let hyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.01, "density": 1,
        "update_gap": 1000, "inactive_lr_scale": 1, "warmup_fraction": 0,
    ])

    @Test func wholeSpaceStateFullIsAdamW() throws {
        let workload = ToyRegression()
        let frugal = try SubmissionDriver.run(FRUGAL.self, on: workload, hyperparameters: Self.hyperparameters, steps: 30)
        let adamw = try SubmissionDriver.run(AdamW.self, on: workload, hyperparameters: Self.hyperparameters, steps: 30)
        #expect(SubmissionDriver.maxRelativeDifference(frugal.parameters, adamw.parameters) < 1e-5)
    }

    @Test func chosenColumnsTakeAdamWTheRestSignSGD() throws {
        let workload = ToyRegression()
        let hidden = workload.info.layout.views[0]  // 8 × 12: ⌈0.25 · 12⌉ = 3 state-full columns
        let hp = Self.hyperparameters.merging(Hyperparameters(["density": 0.25, "update_gap": 4, "weight_decay": 0]))
        var m = [Float](repeating: 0, count: 96), v = m
        var columnSets: [[Int32]] = []
        _ = try SubmissionDriver.run(FRUGAL.self, on: workload, hyperparameters: hp, steps: 9) { step, before, after, frugal in
            let plan = try #require(frugal.plans[0])
            #expect(plan.active.count == 3)
            columnSets.append(plan.active)
            if step % 4 == 0 {  // new columns, fresh moments
                m = [Float](repeating: 0, count: 96)
                v = m
            }
            let t = Double(step % 4 + 1)
            let rate = Float(frugal.schedule.learningRate(at: step))
            let c1 = Float(1 - pow(0.9, t)), c2 = Float(1 - pow(0.999, t))
            for row in 0..<8 { for column in 0..<12 {
                let i = hidden.offset + row * 12 + column
                let g = frugal.gradient.values[i]
                let expected: Float
                if plan.active.contains(Int32(column)) {
                    m[i] = 0.9 * m[i] + (1 - Float(0.9)) * g
                    v[i] = 0.999 * v[i] + (1 - Float(0.999)) * g * g
                    expected = rate * (m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8)
                } else {
                    expected = rate * (g > 0 ? 1 : (g < 0 ? -1 : 0))
                }
                #expect(abs((before.values[i] - after.values[i]) - expected) <= 1e-6 + 1e-4 * abs(expected))
            } }
        }
        for t in 1..<9 { #expect((columnSets[t] == columnSets[t - 1]) == (t % 4 != 0), "step \(t)") }
        #expect(Set(columnSets[0] + columnSets[4] + columnSets[8]).count > 3)
    }

    @Test func stateBytesAgainstAdamW() throws {
        // 256 × 256, ρ = 0.25: 64 columns of both moments, 64 indices and a 256-entry slot table.
        #expect(try SubmissionDriver.referenceStateBytes(FRUGAL.self) == 2 * 256 * 64 * 4 + (64 + 256) * 4)  // 132,352
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(FRUGAL.self)
    }

    @Test func invalidHyperparameterIsRejectedByName() {
        let workload = ToyRegression()
        #expect(throws: HyperparameterError.invalid(name: "density", value: 2, expected: "a number in (0, 1]")) {
            _ = try FRUGAL(
                info: workload.info, hyperparameters: FRUGAL.defaultHyperparameters.merging(Hyperparameters(["density": 2])),
                budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        }
    }
}
