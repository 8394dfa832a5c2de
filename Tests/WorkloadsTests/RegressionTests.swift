import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

@Suite struct RegressionTests {
    /// A small instance of the real spec (or a variant), fast enough for unit tests.
    static func small(variant: String? = nil, _ extra: [String: JSONValue] = [:]) throws -> RegressionWorkload {
        var overrides: [String: JSONValue] = [
            "dimension": .number(16), "train_examples": .number(512), "validation_examples": .number(256),
            "test_examples": .number(256), "train_eval_examples": .number(128), "hidden_units": .number(8),
            "teacher_hidden_units": .number(4),
        ]
        overrides.merge(extra) { $1 }
        return try RegressionWorkload(spec: WorkloadTestSupport.spec("regression", variant: variant, overrides: overrides))
    }

    @Test func sameSeedGivesBitIdenticalDataParametersAndLoss() throws {
        let a = try Self.small(), b = try Self.small()
        #expect(a.trainingSet == b.trainingSet)
        #expect(a.validationSet == b.validationSet)
        #expect(a.testSet == b.testSet)
        let pa = a.initialParameters(seed: 5), pb = b.initialParameters(seed: 5)
        #expect(pa == pb)
        let batchA = a.makeDataStream(seed: 9).nextBatch(size: 32)
        let batchB = b.makeDataStream(seed: 9).nextBatch(size: 32)
        #expect(batchA == batchB)
        #expect(a.loss(pa, batch: batchA).bitPattern == b.loss(pb, batch: batchB).bitPattern)
        #expect(a.evaluate(pa) == b.evaluate(pb))
    }

    @Test func differentSeedsGiveDifferentDataParametersAndBatches() throws {
        let a = try Self.small(), b = try Self.small(["data_seed": .number(1)])
        #expect(a.trainingSet.inputs != b.trainingSet.inputs)
        #expect(a.trainingSet.targets != b.trainingSet.targets)
        #expect(a.initialParameters(seed: 1) != a.initialParameters(seed: 2))
        #expect(a.makeDataStream(seed: 1).nextBatch(size: 32) != a.makeDataStream(seed: 2).nextBatch(size: 32))
    }

    @Test func spectrumHasTheRequestedConditionNumberAndTheInputsFollowIt() throws {
        let w = try Self.small(["train_examples": .number(8192), "train_eval_examples": .number(128)])
        let spectrum = w.spectrum
        #expect(spectrum.count == 16)
        #expect(abs(spectrum[0] - 1) < 1e-12)
        #expect(abs(spectrum[0] / spectrum[15] - 1000) < 1e-6)
        // Log-spaced: constant ratio between neighbours.
        let ratio = spectrum[1] / spectrum[0]
        for i in 1..<16 { #expect(abs(spectrum[i] / spectrum[i - 1] - ratio) < 1e-9) }
        // E‖x‖² = Σλ: the sample mean over 8192 examples is within 3% (its relative std is ~0.7%).
        let x = w.trainingSet
        var total = 0.0
        for value in x.inputs { total += Double(value) * Double(value) }
        let meanSquaredNorm = total / Double(x.count)
        let expected = spectrum.reduce(0, +)
        #expect(abs(meanSquaredNorm / expected - 1) < 0.03, "mean ‖x‖² \(meanSquaredNorm), Σλ \(expected)")
    }

    @Test func trueMapReachesTheNoiseFloor() throws {
        // 40000 validation examples: the truth's MSE is σ²·χ²₄₀₀₀₀/40000, relative std 0.7%; tolerance 3%.
        let w = try Self.small(["validation_examples": .number(40000)])
        let truth = try #require(w.trueParameters)
        let metrics = w.evaluate(truth)
        #expect(abs(w.bayesError - 0.25) < 1e-12)
        #expect(abs(metrics.validationMetric / w.bayesError - 1) < 0.03, "validation MSE \(metrics.validationMetric), σ² \(w.bayesError)")
        // The noiseless problem: the truth is exact up to Float rounding.
        let noiseless = try Self.small(["noise_std": .number(0)])
        let exact = noiseless.evaluate(try #require(noiseless.trueParameters))
        #expect(exact.validationMetric < 1e-10 && exact.testMetric < 1e-10 && exact.trainLoss < 1e-10)
        // And the signal has the requested variance: predicting the mean (bias only) costs ≈ signal + noise.
        var meanOnly = ParameterSet.zeros(like: truth)
        meanOnly.values[truth.values.count - 1] = truth.values[truth.values.count - 1]
        let baseline = w.evaluate(meanOnly).validationMetric
        #expect(abs(baseline / 1.25 - 1) < 0.05, "mean predictor MSE \(baseline), expected ≈ 1.25")
    }

    @Test func linearGradientMatchesCentralDifferences() throws {
        let w = try Self.small()
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 64)
        WorkloadTestSupport.checkGradient(w, parameters: p, batch: batch, samples: 17, tolerance: 1e-2)
    }

    @Test func mlpGradientMatchesCentralDifferences() throws {
        let w = try Self.small(variant: "regression_mlp")
        #expect(w.info.layout.count == 8 * 16 + 8 + 8 + 1)
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 64)
        // Float rounding of the loss limits this check: at step 1e-2 the worst relative error
        // was 0.021 with OpenBLAS's SkylakeX kernels (Intel Xeon) and below 0.02 with its Zen
        // ones; a smaller step (3e-3) made it 0.077, so rounding, not truncation, dominates.
        // A wrong gradient is off by order one.
        WorkloadTestSupport.checkGradient(w, parameters: p, batch: batch, samples: 40, step: 1e-2, tolerance: 3e-2)
    }

    @Test func linearHessianVectorProductIsTheClosedForm() throws {
        let w = try Self.small()
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 64)
        let v = WorkloadTestSupport.randomDirection(like: p, seed: 4)
        var hv = ParameterSet.zeros(like: p)
        w.hessianVectorProduct(p, batch: batch, vector: v, into: &hv)
        // (2/n) Aᵀ A v with A = [X 1], in Double.
        let d = batch.features, n = batch.count
        var expected = [Double](repeating: 0, count: d + 1)
        for i in 0..<n {
            var u = Double(v.values[d])
            for j in 0..<d { u += Double(batch.inputs[i * d + j]) * Double(v.values[j]) }
            for j in 0..<d { expected[j] += 2 * u * Double(batch.inputs[i * d + j]) / Double(n) }
            expected[d] += 2 * u / Double(n)
        }
        let scale = expected.map(abs).max() ?? 1
        for j in 0...d { #expect(abs(Double(hv.values[j]) - expected[j]) <= 1e-5 * scale, "coordinate \(j)") }
        WorkloadTestSupport.checkHessianVectorProduct(w, parameters: p, batch: batch, vector: v, tolerance: 1e-2)
    }

    @Test func mlpHessianVectorProductMatchesGradientDifferences() throws {
        let w = try Self.small(variant: "regression_mlp")
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 64)
        let v = WorkloadTestSupport.randomDirection(like: p, seed: 4)
        WorkloadTestSupport.checkHessianVectorProduct(w, parameters: p, batch: batch, vector: v, step: 1e-2, tolerance: 5e-2)
    }

    @Test func streamVisitsEveryExampleOncePerEpoch() throws {
        let w = try Self.small()
        let stream = w.makeDataStream(seed: 3)
        var seen: [[Float]: Int] = [:]
        for _ in 0..<8 {  // 8 × 64 = 512 = one epoch
            let batch = stream.nextBatch(size: 64)
            for i in 0..<batch.count { seen[Array(batch.inputs[(i * 16)..<((i + 1) * 16)]), default: 0] += 1 }
        }
        #expect(seen.count == 512 && seen.values.allSatisfy { $0 == 1 })
        #expect(stream.nextBatch(size: 1000).count == 1000)  // larger than an epoch: wraps around
    }

    @Test func splitCutsTheBatchIntoDisjointParts() throws {
        let w = try Self.small()
        let batch = w.makeDataStream(seed: 3).nextBatch(size: 10)
        let parts = w.split(batch, into: 3)
        #expect(parts.map(\.count) == [3, 3, 4])
        #expect(parts.flatMap(\.targets) == batch.targets)
    }

    @Test(arguments: [nil, "regression_mlp"] as [String?])
    func gradientDescentLowersTheLoss(variant: String?) throws {
        let w = try Self.small(variant: variant)
        let run = WorkloadTestSupport.gradientDescent(w, seed: 1, steps: 200, learningRate: 0.2, batchSize: 64)
        let before = w.evaluate(run.initial), after = w.evaluate(run.final)
        #expect(after.trainLoss < 0.5 * before.trainLoss, "train loss \(before.trainLoss) → \(after.trainLoss)")
        #expect(after.validationMetric < before.validationMetric)
    }

    @Test func unknownOrMistypedSettingsAreRejectedNamingTheField() throws {
        var spec = try WorkloadTestSupport.realSpec("regression")
        spec.settings["dimensions"] = .number(3)
        #expect { try RegressionWorkload(spec: spec) } throws: { error in
            "\(error)".contains("settings.dimensions") && "\(error)".contains("regression.json")
        }
        spec = try WorkloadTestSupport.realSpec("regression")
        spec.settings["model"] = .string("cubic")
        #expect { try RegressionWorkload(spec: spec) } throws: { "\($0)".contains("settings.model") && "\($0)".contains("cubic") }
        spec = try WorkloadTestSupport.realSpec("regression")
        spec.settings["condition_number"] = .number(0.5)
        #expect { try RegressionWorkload(spec: spec) } throws: { "\($0)".contains("condition_number") }
    }

    /// Calibration probe (OPTBENCH_CALIBRATE=1): Adam with cosine decay over 2 × step_hint
    /// steps, a small learning-rate grid, on the real specs; prints steps and seconds to the
    /// validation target. Fails only if no rate reaches the target.
    @Test(.enabled(if: WorkloadTestSupport.calibrationEnabled), arguments: ["regression", "regression_cond1e4", "regression_mlp"])
    func calibrationProbe(name: String) throws {
        let base = try WorkloadTestSupport.realSpec("regression")
        let spec = name == base.name ? base : try #require(base.variants.first { $0.name == name })
        let start = Date()
        let w = try RegressionWorkload(spec: spec)
        print("\(name): build \(Date().timeIntervalSince(start)) s, \(w.info.layout.count) parameters, step \(WorkloadTestSupport.stepTime(w) * 1e3) ms at batch \(w.info.defaultBatchSize)")
        var anyReached = false
        for rate: Float in [0.001, 0.003, 0.01, 0.03] {
            var reached: Int? = nil
            var best = Double.infinity
            let t0 = Date()
            let final = WorkloadTestSupport.adam(w, seed: 1, steps: 2 * spec.stepHint, learningRate: rate, onEvaluation: { step, p in
                let m = w.evaluate(p).validationMetric
                best = min(best, m)
                if reached == nil, m <= spec.validationTarget { reached = step }
                return false
            })
            let seconds = Date().timeIntervalSince(t0)
            if reached != nil { anyReached = true }
            print("\(name) lr \(rate): final \(w.evaluate(final)), best \(best), target \(spec.validationTarget) reached at \(reached.map(String.init) ?? "never"), \(seconds) s for \(2 * spec.stepHint) steps incl. evals")
        }
        #expect(anyReached, "\(name): no learning rate reached the validation target \(spec.validationTarget)")
    }
}
