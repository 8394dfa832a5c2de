import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct SubspaceMomentumTests {
    static func hyperparameters(rank: Int, subsetNorm: Bool, gap: Int = 1000) -> Hyperparameters {
        Hyperparameters([
            "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "rank": Double(rank),
            "update_proj_gap": Double(gap), "warmup_fraction": 0, "subset_norm": subsetNorm ? 1 : 0,
        ])
    }

    @Test func momentumLivesInTheSubspaceAndTheComplementTakesTheGradient() throws {
        let workload = ToyRegression()
        let hidden = workload.info.layout.views[0]  // 8 × 12: left basis P (8 × 2)
        var m = [Float](repeating: 0, count: 2 * 12)
        _ = try SubmissionDriver.run(
            SubspaceMomentum.self, on: workload, hyperparameters: Self.hyperparameters(rank: 2, subsetNorm: false, gap: 4), steps: 9
        ) { step, before, after, sm in
            let plan = try #require(sm.plans[0])
            let p = plan.projector.basis
            let g = Array(sm.gradient.values[hidden.range])
            let rate = Float(sm.schedule.learningRate(at: step))
            if step % 4 == 0 { m = [Float](repeating: 0, count: 24) }  // restart with each new basis
            var r = [Float](repeating: 0, count: 24)
            for a in 0..<2 { for c in 0..<12 { for i in 0..<8 { r[a * 12 + c] += p[i * 2 + a] * g[i * 12 + c] } } }
            for k in 0..<24 { m[k] = 0.9 * m[k] + (1 - Float(0.9)) * r[k] }
            #expect(zip(m, sm.momentum[0..<24]).allSatisfy { abs($0 - $1) <= 1e-6 })
            for i in 0..<8 { for c in 0..<12 {
                var inSubspace: Float = 0, projectedBack: Float = 0
                for a in 0..<2 {
                    inSubspace += p[i * 2 + a] * m[a * 12 + c]
                    projectedBack += p[i * 2 + a] * r[a * 12 + c]
                }
                let expected = rate * (inSubspace + g[i * 12 + c] - projectedBack)
                let index = hidden.offset + i * 12 + c
                #expect(abs((before.values[index] - after.values[index]) - expected) <= 1e-6)
            } }
        }
    }

    @Test func fullRankWithoutSubsetNormIsEMAMomentumSGD() throws {
        // Square matrix at full rank: P Pᵀ = I, so the complement vanishes and P·M is the
        // EMA of the gradient (the basis is fixed after step 0).
        let workload = LayoutQuadratic([("w", [6, 6], .weight)])
        let hp = Self.hyperparameters(rank: 6, subsetNorm: false)
        var momentum = [Float](repeating: 0, count: 36)
        _ = try SubmissionDriver.run(SubspaceMomentum.self, on: workload, hyperparameters: hp, steps: 15) { step, before, after, sm in
            let rate = Float(sm.schedule.learningRate(at: step))
            for i in 0..<36 {
                momentum[i] = 0.9 * momentum[i] + (1 - Float(0.9)) * sm.gradient.values[i]
                #expect(abs((before.values[i] - after.values[i]) - rate * momentum[i]) <= 1e-6)
            }
        }
    }

    @Test func subsetNormGivesEachSubsetOneStepSize() throws {
        // One matrix, so the numerator scratch still holds its N after the step.
        let workload = LayoutQuadratic([("w", [8, 12], .weight)])
        let hidden = workload.info.layout.views[0]  // 8 × 12: subsets are the 12 columns
        var v = [Float](repeating: 0, count: 12)
        var lastNumerator: [Float] = []
        _ = try SubmissionDriver.run(
            SubspaceMomentum.self, on: workload, hyperparameters: Self.hyperparameters(rank: 3, subsetNorm: true), steps: 6
        ) { step, before, after, sm in
            let rate = Float(sm.schedule.learningRate(at: step)) * Float((1 - pow(0.999, Double(step + 1))).squareRoot())
            lastNumerator = Array(sm.numerator[0..<hidden.count])
            for c in 0..<12 {
                let squares = (0..<8).reduce(Float(0)) { $0 + pow(sm.gradient.values[hidden.offset + $1 * 12 + c], 2) }
                v[c] = 0.999 * v[c] + (1 - Float(0.999)) * squares
                #expect(abs(sm.subsetNorms[c] - v[c]) <= 1e-4 * v[c])
                for i in 0..<8 {
                    let index = hidden.offset + i * 12 + c
                    let expected = rate * lastNumerator[i * 12 + c] / (v[c].squareRoot() + 1e-8)
                    #expect(abs((before.values[index] - after.values[index]) - expected) <= 1e-6 + 1e-4 * abs(expected))
                }
            }
        }
    }

    @Test func stateIsSubspaceMomentumBasisAndSubsetNorms() throws {
        // 256 × 256, rank 128: M (256 × 128), Vᵀ_r (128 × 256), 256 subset norms.
        #expect(try SubmissionDriver.referenceStateBytes(SubspaceMomentum.self) == (2 * 32768 + 256) * 4)  // 263,168
        #expect(try SubmissionDriver.referenceStateBytes(
            SubspaceMomentum.self, overrides: Hyperparameters(["subset_norm": 0])) == 2 * 32768 * 4)
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(SubspaceMomentum.self)
    }
}
