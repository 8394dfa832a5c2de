import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

@Suite struct BilevelHypercleanTests {
    static func small(_ extra: [String: JSONValue] = [:]) throws -> BilevelHypercleanWorkload {
        var overrides: [String: JSONValue] = [
            "classes": .number(4), "features": .number(6), "train_examples": .number(60),
            "validation_examples": .number(40), "test_examples": .number(100), "inner_ridge": .number(0.01),
        ]
        overrides.merge(extra) { $1 }
        return try BilevelHypercleanWorkload(hypercleanSpec: WorkloadTestSupport.spec("bilevel_hyperclean", overrides: overrides))
    }

    /// A point away from the initialisation: u spread over [−2, 2], z random.
    static func point(_ w: BilevelHypercleanWorkload) -> (z: ParameterSet, x: ParameterSet) {
        var x = w.initialParameters(seed: 0)
        var generator = RandomGenerator(seed: 7)
        x.values.withUnsafeMutableBufferPointer { generator.fillUniform($0, low: -2, high: 2) }
        var z = ParameterSet(layout: w.problem.innerLayout)
        z.values.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 0.5) }
        return (z, x)
    }

    @Test func sameSeedGivesBitIdenticalDataAndHypergradients() throws {
        let a = try Self.small(), b = try Self.small()
        #expect(a.problem.train == b.problem.train && a.problem.validation == b.problem.validation && a.problem.test == b.problem.test)
        #expect(a.problem.corrupted == b.problem.corrupted)
        let xa = a.initialParameters(seed: 1), xb = b.initialParameters(seed: 1)
        #expect(xa == xb)
        let sa = a.makeDataStream(seed: 2), sb = b.makeDataStream(seed: 2)
        var ga = ParameterSet.zeros(like: xa), gb = ParameterSet.zeros(like: xb)
        for _ in 0..<3 {
            let batchA = sa.nextBatch(size: 16), batchB = sb.nextBatch(size: 16)
            #expect(batchA == batchB)
            #expect(a.lossAndGradient(xa, batch: batchA, into: &ga).bitPattern == b.lossAndGradient(xb, batch: batchB, into: &gb).bitPattern)
            #expect(ga == gb)
        }
        #expect(a.evaluate(xa) == b.evaluate(xb))
    }

    @Test func differentSeedsGiveDifferentDataAndBatches() throws {
        let a = try Self.small(), b = try Self.small(["data_seed": .number(1)])
        #expect(a.problem.train.inputs != b.problem.train.inputs)
        #expect(a.problem.corrupted != b.problem.corrupted)
        #expect(a.makeDataStream(seed: 1).nextBatch(size: 16) != a.makeDataStream(seed: 2).nextBatch(size: 16))
    }

    @Test func corruptionRateAndLabelsAreAsSpecified() throws {
        let w = try Self.small(["train_examples": .number(4000), "classes": .number(10)])
        let p = w.problem
        let rate = Double(p.corrupted.filter { $0 }.count) / 4000
        // Binomial(4000, 0.5): sd 0.008; tolerance 0.04.
        #expect(abs(rate - 0.5) < 0.04, "corruption rate \(rate)")
        // A corrupted label always differs from the clean one: regenerate the clean labels.
        let clean = try Self.small(["train_examples": .number(4000), "classes": .number(10), "corruption_rate": .number(0)]).problem.train
        for i in 0..<4000 { #expect((clean.labels[i] != p.train.labels[i]) == p.corrupted[i]) }
        #expect(clean.inputs == p.train.inputs)
    }

    @Test func innerAndOuterGradientsMatchCentralDifferences() throws {
        let w = try Self.small()
        let (z, x) = Self.point(w)
        for examples in [nil, [3, 7, 7, 20, 41]] as [[Int]?] {
            BilevelTestSupport.checkInnerGradients(w.problem, z: z, x: x, examples: examples, step: 1e-2, tolerance: 2e-2)
            BilevelTestSupport.checkOuterGradients(w.problem, z: z, x: x, examples: examples.map { $0.map { $0 % 40 } }, step: 1e-2, tolerance: 2e-2)
        }
    }

    @Test func hessianAndCrossProductsMatchGradientDifferences() throws {
        let w = try Self.small()
        let (z, x) = Self.point(w)
        let v = WorkloadTestSupport.randomDirection(like: z, seed: 5)
        BilevelTestSupport.checkSecondDerivatives(w.problem, z: z, x: x, v: v, examples: nil, step: 1e-2, tolerance: 2e-2)
        BilevelTestSupport.checkSecondDerivatives(w.problem, z: z, x: x, v: v, examples: [1, 2, 3, 3, 50], step: 1e-2, tolerance: 2e-2)
    }

    @Test func hypergradientMatchesDifferencesOfTheSolvedOuterLoss() throws {
        let w = try Self.small()
        let x = Self.point(w).x
        _ = w.initialParameters(seed: 0)
        BilevelTestSupport.checkHypergradient(w, x: x, coordinates: Array(0..<12), step: 0.1, tolerance: 2e-2)
    }

    @Test func perfectWeightsOnSeparableDataGiveFullAccuracy() throws {
        // Far-apart classes, every corrupted example switched off (u = −30) and every clean one
        // on (u = +30): the inner solution classifies validation and test perfectly.
        let w = try Self.small(["class_separation": .number(20)])
        var x = ParameterSet(layout: w.info.layout)
        for i in x.values.indices { x.values[i] = w.problem.corrupted[i] ? -30 : 30 }
        let metrics = w.evaluate(x)
        #expect(metrics.validationMetric == 1 && metrics.testMetric == 1, "\(metrics)")
        #expect(metrics.trainLoss < 0.05)
        // Trusting the corrupted labels instead (weights on the corrupted half only) is much worse.
        for i in x.values.indices { x.values[i] = -x.values[i] }
        #expect(w.evaluate(x).validationMetric < 0.6)
    }

    @Test func gradientDescentOnTheWeightsLowersTheValidationLoss() throws {
        let w = try Self.small()
        let run = WorkloadTestSupport.gradientDescent(w, seed: 1, steps: 40, learningRate: 50, batchSize: 40)
        let before = w.evaluate(run.initial).trainLoss, after = w.evaluate(run.final).trainLoss
        #expect(after < before - 0.02, "validation loss \(before) → \(after)")
    }

    /// Calibration probe (OPTBENCH_CALIBRATE=1): Adam with cosine decay over 2 × step_hint
    /// steps on the example weights; fails only if no rate reaches the target.
    @Test(.enabled(if: WorkloadTestSupport.calibrationEnabled), arguments: ["bilevel_hyperclean", "bilevel_hyperclean_corrupt70"])
    func calibrationProbe(name: String) throws {
        let base = try WorkloadTestSupport.realSpec("bilevel_hyperclean")
        let spec = name == base.name ? base : try #require(base.variants.first { $0.name == name })
        let start = Date()
        let w = try BilevelHypercleanWorkload(hypercleanSpec: spec)
        print("\(name): build \(Date().timeIntervalSince(start)) s, \(w.info.layout.count) parameters, step \(WorkloadTestSupport.stepTime(w, steps: 30) * 1e3) ms at batch \(w.info.defaultBatchSize)")
        print("\(name): initial \(w.evaluate(w.initialParameters(seed: 1)))")
        var cleanWeights = ParameterSet(layout: w.info.layout)
        for i in cleanWeights.values.indices { cleanWeights.values[i] = w.problem.corrupted[i] ? -30 : 30 }
        print("\(name): oracle cleaning \(w.evaluate(cleanWeights))")
        var anyReached = false
        for rate: Float in [0.3, 1] {
            var reached: Int? = nil
            var best = 0.0
            let t0 = Date()
            let final = WorkloadTestSupport.adam(w, seed: 1, steps: 2 * spec.stepHint, learningRate: rate, onEvaluation: { step, p in
                let m = w.evaluate(p).validationMetric
                best = max(best, m)
                if reached == nil, m >= spec.validationTarget { reached = step }
                return false
            }, evaluateEvery: 50)
            if reached != nil { anyReached = true }
            print("\(name) lr \(rate): final \(w.evaluate(final)), best \(best), target \(spec.validationTarget) reached at \(reached.map(String.init) ?? "never"), \(Date().timeIntervalSince(t0)) s for \(2 * spec.stepHint) steps incl. evals")
        }
        #expect(anyReached, "\(name): no learning rate reached the validation target \(spec.validationTarget)")
    }
}
