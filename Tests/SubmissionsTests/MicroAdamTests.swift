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

    /// Algorithm 1 written densely, in the test: the error-corrected accumulator
    /// a = g + Q⁻¹(e), its top-k as a dense sparse vector s_t (the rest, 4-bit quantised per
    /// block of 64 between the block's minimum and maximum, is the next error), and
    /// m̂ = (1−β₁)/(1−β₁ᵗ)·Σ_{age < window} β₁^age·s_{t−age}, v̂ likewise with s², then
    /// θ ← θ − η(m̂/(ε + √v̂) + λθ). The submission's ring buffer, packed codes and per-tensor
    /// offsets must give the same parameters at every step (window 3 < 12 steps, so the ring
    /// wraps; two tensors, the first of two blocks).
    @Test func matchesADenseReimplementationOfAlgorithmOne() throws {
        let workload = LayoutQuadratic([("w", [8, 12], .weight), ("b", [7], .bias)])
        let (rate, b1, b2, eps, decay, window) = (Float(1e-2), Float(0.9), Float(0.999), Float(1e-8), Float(0.01), 3)
        let hp = Self.hyperparameters.merging(Hyperparameters(["density": 0.1, "window": Double(window), "min_lr_factor": 1]))
        let views = workload.info.layout.views
        var errors = views.map { [Float](repeating: 0, count: $0.count) }
        var history = views.map { _ in [[Float]]() }
        var checkedSteps = 0
        _ = try SubmissionDriver.run(MicroAdam.self, on: workload, hyperparameters: hp, steps: 12) { step, before, after, micro in
            let t = Double(step + 1)
            for (p, view) in views.enumerated() {
                let n = view.count, k = Int((0.1 * Double(n)).rounded(.up))
                var a = (0..<n).map { micro.gradient.values[view.offset + $0] + errors[p][$0] }
                let chosen = (0..<n).sorted { abs(a[$0]) != abs(a[$1]) ? abs(a[$0]) > abs(a[$1]) : $0 < $1 }.prefix(k)
                var sparse = [Float](repeating: 0, count: n)
                for i in chosen {
                    sparse[i] = a[i]
                    a[i] = 0
                }
                history[p].append(sparse)
                for start in stride(from: 0, to: n, by: 64) {
                    let block = start..<min(n, start + 64)
                    let low = block.map { a[$0] }.min()!, high = block.map { a[$0] }.max()!
                    let steps = high > low ? 15 / (high - low) : 0
                    for i in block {
                        let code = min(15, max(0, ((a[i] - low) * steps).rounded()))
                        errors[p][i] = low + (high - low) * code / 15
                    }
                }
                var m = [Float](repeating: 0, count: n), v = m
                for age in 0..<min(step + 1, window) {
                    let s = history[p][step - age]
                    let w1 = Float(pow(Double(b1), Double(age))), w2 = Float(pow(Double(b2), Double(age)))
                    for i in 0..<n {
                        m[i] += w1 * s[i]
                        v[i] += w2 * s[i] * s[i]
                    }
                }
                let scale1 = (1 - b1) / Float(1 - pow(Double(b1), t)), scale2 = (1 - b2) / Float(1 - pow(Double(b2), t))
                for i in 0..<n {
                    let theta = before.values[view.offset + i]
                    let expected = theta - rate * ((scale1 * m[i]) / (eps + (scale2 * v[i]).squareRoot()) + decay * theta)
                    let actual = after.values[view.offset + i]
                    #expect(abs(actual - expected) <= 1e-6 * max(1, abs(expected)), "step \(step) \(view.name)[\(i)]")
                }
            }
            checkedSteps += 1
        }
        #expect(checkedSteps == 12)
        // The window really forgets: at step 11 only steps 9, 10, 11 contribute, and some
        // coordinate chosen earlier but not since has m̂ = 0 (its parameter only decays).
        let recent = Set((9...11).flatMap { step in history[0][step].indices.filter { history[0][step][$0] != 0 } })
        let older = Set((0...8).flatMap { step in history[0][step].indices.filter { history[0][step][$0] != 0 } })
        #expect(!older.subtracting(recent).isEmpty)
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
