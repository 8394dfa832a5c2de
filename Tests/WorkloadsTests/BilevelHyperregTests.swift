import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

@Suite struct BilevelHyperregTests {
    static func small(_ extra: [String: JSONValue] = [:]) throws -> BilevelHyperregWorkload {
        var overrides: [String: JSONValue] = [
            "features": .number(12), "informative_features": .number(4), "train_examples": .number(80),
            "validation_examples": .number(60), "test_examples": .number(100),
        ]
        overrides.merge(extra) { $1 }
        return try BilevelHyperregWorkload(hyperregSpec: WorkloadTestSupport.spec("bilevel_hyperreg", overrides: overrides))
    }

    /// A point away from the initialisation: λ_j spread over [−3, 1], w random.
    static func point(_ w: BilevelHyperregWorkload) -> (z: ParameterSet, x: ParameterSet) {
        var x = w.initialParameters(seed: 0)
        for j in x.values.indices { x.values[j] = -3 + 4 * Float(j) / Float(x.values.count) }
        var z = ParameterSet(layout: w.problem.innerLayout)
        var generator = RandomGenerator(seed: 8)
        z.values.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 0.5) }
        return (z, x)
    }

    @Test func sameSeedGivesBitIdenticalDataAndHypergradients() throws {
        let a = try Self.small(), b = try Self.small()
        #expect(a.problem.train == b.problem.train && a.problem.validation == b.problem.validation && a.problem.test == b.problem.test)
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

    @Test func differentSeedsGiveDifferentDataAndBatchesAndTrialsRestartCleanly() throws {
        let a = try Self.small(), b = try Self.small(["data_seed": .number(1)])
        #expect(a.problem.train.inputs != b.problem.train.inputs)
        #expect(a.makeDataStream(seed: 1).nextBatch(size: 16) != a.makeDataStream(seed: 2).nextBatch(size: 16))
        // The outer initialisation is seed-independent by design (one starting hyperparameter).
        #expect(a.initialParameters(seed: 1) == a.initialParameters(seed: 2))
        // initialParameters resets the warm starts: a second trial repeats the first bit for bit.
        func trial() -> [Float] {
            let x = a.initialParameters(seed: 1)
            let stream = a.makeDataStream(seed: 3)
            var g = ParameterSet.zeros(like: x)
            var losses: [Float] = []
            for _ in 0..<3 { losses.append(a.lossAndGradient(x, batch: stream.nextBatch(size: 16), into: &g)) }
            return losses + g.values
        }
        #expect(trial() == trial())
    }

    @Test func innerAndOuterGradientsMatchCentralDifferences() throws {
        let w = try Self.small()
        let (z, x) = Self.point(w)
        for examples in [nil, [3, 7, 7, 20, 41]] as [[Int]?] {
            BilevelTestSupport.checkInnerGradients(w.problem, z: z, x: x, examples: examples, step: 1e-2, tolerance: 1e-2)
            BilevelTestSupport.checkOuterGradients(w.problem, z: z, x: x, examples: examples.map { $0.map { $0 % 60 } }, step: 1e-2, tolerance: 1e-2)
        }
    }

    @Test func hessianAndCrossProductsMatchGradientDifferences() throws {
        let w = try Self.small()
        let (z, x) = Self.point(w)
        let v = WorkloadTestSupport.randomDirection(like: z, seed: 5)
        BilevelTestSupport.checkSecondDerivatives(w.problem, z: z, x: x, v: v, examples: nil, step: 1e-2, tolerance: 1e-2)
        BilevelTestSupport.checkSecondDerivatives(w.problem, z: z, x: x, v: v, examples: [1, 2, 3, 50], step: 1e-2, tolerance: 1e-2)
    }

    @Test func hypergradientMatchesDifferencesOfTheSolvedOuterLoss() throws {
        let w = try Self.small()
        let x = Self.point(w).x
        _ = w.initialParameters(seed: 0)
        BilevelTestSupport.checkHypergradient(w, x: x, coordinates: Array(0..<12), step: 5e-2, tolerance: 3e-2)
    }

    @Test func accurateInnerSolutionIsStationary() throws {
        let w = try Self.small()
        let x = Self.point(w).x
        let (z, gradientNorm) = w.solveInner(x)
        #expect(gradientNorm <= HypergradientProcedure.evaluationTolerance)
        var dz = ParameterSet(layout: w.problem.innerLayout), dx = ParameterSet(layout: w.problem.outerLayout)
        _ = w.problem.innerGradients(z, x, examples: nil, dz: &dz, dx: &dx)
        #expect(VectorMath.norm(dz.values) <= 1e-6)
    }

    @Test func overwhelmingRegularisationGivesTheChanceLoss() throws {
        // λ = 25: w* ≈ 0, so every probability is ½ and the logistic loss is log 2.
        let w = try Self.small()
        let x = ParameterSet(layout: w.info.layout, repeating: 25)
        let metrics = w.evaluate(x)
        #expect(abs(metrics.validationMetric - log(2)) < 1e-6 && abs(metrics.testMetric - log(2)) < 1e-6)
        #expect(metrics.trainLoss == metrics.validationMetric)
    }

    @Test func gradientDescentOnTheHyperparametersLowersTheValidationLoss() throws {
        let w = try Self.small(["train_examples": .number(60), "features": .number(30)])
        let run = WorkloadTestSupport.gradientDescent(w, seed: 1, steps: 60, learningRate: 20, batchSize: 60)
        // gradientDescent called initialParameters first; evaluate both ends.
        let before = w.evaluate(run.initial).validationMetric, after = w.evaluate(run.final).validationMetric
        #expect(after < before - 0.01, "validation loss \(before) → \(after)")
    }

    /// Calibration probe (OPTBENCH_CALIBRATE=1): Adam with cosine decay over 2 × step_hint
    /// steps on the hyperparameters; fails only if no rate reaches the target.
    @Test(.enabled(if: WorkloadTestSupport.calibrationEnabled), arguments: ["bilevel_hyperreg", "bilevel_hyperreg_wide"])
    func calibrationProbe(name: String) throws {
        let base = try WorkloadTestSupport.realSpec("bilevel_hyperreg")
        let spec = name == base.name ? base : try #require(base.variants.first { $0.name == name })
        let start = Date()
        let w = try BilevelHyperregWorkload(hyperregSpec: spec)
        print("\(name): build \(Date().timeIntervalSince(start)) s, \(w.info.layout.count) parameters, step \(WorkloadTestSupport.stepTime(w, steps: 50) * 1e3) ms at batch \(w.info.defaultBatchSize)")
        print("\(name): initial \(w.evaluate(w.initialParameters(seed: 1)))")
        var anyReached = false
        for rate: Float in [0.1, 0.3] {
            var reached: Int? = nil
            var best = Double.infinity
            let t0 = Date()
            let final = WorkloadTestSupport.adam(w, seed: 1, steps: 2 * spec.stepHint, learningRate: rate, onEvaluation: { step, p in
                let m = w.evaluate(p).validationMetric
                best = min(best, m)
                if reached == nil, m <= spec.validationTarget { reached = step }
                return false
            }, evaluateEvery: 50)
            if reached != nil { anyReached = true }
            print("\(name) lr \(rate): final \(w.evaluate(final)), best \(best), target \(spec.validationTarget) reached at \(reached.map(String.init) ?? "never"), \(Date().timeIntervalSince(t0)) s for \(2 * spec.stepHint) steps incl. evals")
        }
        #expect(anyReached, "\(name): no learning rate reached the validation target \(spec.validationTarget)")
    }
}
