import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

@Suite struct TSPWorkloadTests {
    /// A tiny policy on `cities`-city instances with a freshly computed (Held–Karp) reference.
    static func small(cities: Int = 6, validation: Int = 8, test: Int = 6, _ extra: [String: JSONValue] = [:]) throws -> TSPWorkload {
        var overrides: [String: JSONValue] = [
            "cities": .number(Double(cities)), "validation_instances": .number(Double(validation)),
            "test_instances": .number(Double(test)), "train_eval_instances": .number(4), "embedding_dim": .number(8),
            "heads": .number(2), "encoder_layers": .number(1), "feedforward_dim": .number(16),
        ]
        overrides.merge(extra) { $1 }
        let spec = try WorkloadTestSupport.spec("tsp", overrides: overrides)
        let settings = try TSPSettings(spec: spec)
        let reference = TSPReference.compute(cities: cities, dataSeed: settings.dataSeed, validationInstances: validation, testInstances: test)
        return try TSPWorkload(spec: spec, settings: settings, reference: reference, referencePath: "computed")
    }

    /// All `(n−1)!` orders of the cities other than `start`, each beginning at `start`.
    static func tours(from start: Int, cities n: Int) -> [[Int]] {
        var result: [[Int]] = []
        var rest = (0..<n).filter { $0 != start }
        func permute(_ k: Int) {
            if k == rest.count { result.append([start] + rest); return }
            for i in k..<rest.count { rest.swapAt(k, i); permute(k + 1); rest.swapAt(k, i) }
        }
        permute(0)
        return result
    }

    /// `copies` copies of `instance` whose rollout `s` of copy `k` replays `tours(from: s)[k]`,
    /// and the replayed log-probabilities per (copy, start).
    static func enumerate(_ w: TSPWorkload, _ instance: TSPInstance, _ parameters: ParameterSet) -> (logProbabilities: [[Double]], lengths: [[Double]]) {
        let n = instance.cities
        let all = (0..<n).map { tours(from: $0, cities: n) }
        let copies = all[0].count
        var given = [Int32]()
        for k in 0..<copies { for s in 0..<n { given += all[s][k].map(Int32.init) } }
        let batch = TSPBatch(instances: [TSPInstance](repeating: instance, count: copies))
        let rollouts = w.policy.rollouts(parameters, batch, decoding: .given(given), keepCache: false)
        let logP = (0..<n).map { s in (0..<copies).map { rollouts.logProbabilities[$0 * n + s] } }
        let lengths = (0..<n).map { s in (0..<copies).map { rollouts.lengths[$0 * n + s] } }
        return (logP, lengths)
    }

    @Test func sameSeedGivesBitIdenticalDataParametersAndLoss() throws {
        let a = try Self.small(), b = try Self.small()
        #expect(a.validationSet == b.validationSet && a.testSet == b.testSet)
        let pa = a.initialParameters(seed: 5), pb = b.initialParameters(seed: 5)
        #expect(pa == pb)
        let batchA = a.makeDataStream(seed: 9).nextBatch(size: 4), batchB = b.makeDataStream(seed: 9).nextBatch(size: 4)
        #expect(batchA == batchB)
        #expect(a.loss(pa, batch: batchA).bitPattern == b.loss(pb, batch: batchB).bitPattern)
        var ga = ParameterSet.zeros(like: pa), gb = ParameterSet.zeros(like: pb)
        #expect(a.lossAndGradient(pa, batch: batchA, into: &ga).bitPattern == b.lossAndGradient(pb, batch: batchB, into: &gb).bitPattern)
        #expect(ga == gb)
        #expect(a.evaluate(pa) == b.evaluate(pb))
    }

    @Test func differentSeedsGiveDifferentInstancesParametersAndSamples() throws {
        let a = try Self.small(), b = try Self.small(["data_seed": .number(1)])
        #expect(a.validationSet != b.validationSet)
        #expect(a.initialParameters(seed: 1) != a.initialParameters(seed: 2))
        let stream1 = a.makeDataStream(seed: 1), stream2 = a.makeDataStream(seed: 2)
        let first = stream1.nextBatch(size: 3)
        #expect(first != stream2.nextBatch(size: 3))
        #expect(first != stream1.nextBatch(size: 3))  // the stream moves on to fresh instances
        #expect(Set(first.rolloutSeeds).count == 3)
    }

    @Test func sampledToursArePermutationsStartingAtEachCity() throws {
        let w = try Self.small(cities: 7)
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 1).nextBatch(size: 3)
        let tours = w.sampledTours(p, batch: batch)
        for b in 0..<3 {
            for s in 0..<7 {
                let tour = tours[((b * 7 + s) * 7)..<((b * 7 + s + 1) * 7)].map(Int.init)
                #expect(tour.first == s && batch.instance(b).isPermutation(tour))
            }
        }
    }

    /// The decoder's log-probabilities of given tours are the documented ones, computed here
    /// directly in Double from the encoder's embeddings: `q = W_g ḡ + W_f h_f + W_c h_c`,
    /// `u_j = C·tanh(q·k_j/√d)` (`q·k_j/√d` unclipped), `k_j = W_k h_j`, softmax over the
    /// unvisited cities, the last city forced.
    @Test(arguments: [10.0, 0.0])
    func logProbabilitiesAreTheDocumentedFormulaComputedDirectly(clip: Double) throws {
        let w = try Self.small(["logit_clip": .number(clip)])
        let p = w.initialParameters(seed: 5)
        let batch = w.makeDataStream(seed: 6).nextBatch(size: 2)
        let tours = w.sampledTours(p, batch: batch)
        let decoded = w.policy.rollouts(p, batch, decoding: .given(tours), keepCache: false).logProbabilities
        let (B, n, d) = (batch.count, w.settings.cities, w.policy.dimension)
        let embeddings = w.policy.encoder.forward(Tensor(shape: [B, n, 2], scalars: batch.coordinates), parameters: p)
        let h = embeddings.withUnsafeBufferPointer { $0.map(Double.init) }
        func weights(_ view: ParameterView) -> [Double] { p.withUnsafeBufferPointer(view) { $0.map(Double.init) } }
        let (graph, first, current, key) = (weights(w.policy.graphQuery), weights(w.policy.firstQuery),
                                            weights(w.policy.currentQuery), weights(w.policy.keyProjection))
        /// `W x` for a `[d, d]` row-major `W` and the `d` values of `x` from `offset`.
        func apply(_ matrix: [Double], _ x: [Double], from offset: Int = 0) -> [Double] {
            (0..<d).map { r in (0..<d).reduce(0.0) { $0 + matrix[r * d + $1] * x[offset + $1] } }
        }
        var worst = 0.0
        for b in 0..<B {
            let mean = (0..<d).map { c in (0..<n).reduce(0.0) { $0 + h[(b * n + $1) * d + c] } / Double(n) }
            let keys = (0..<n).map { apply(key, h, from: (b * n + $0) * d) }
            for s in 0..<n {
                let tour = (0..<n).map { Int(tours[(b * n + s) * n + $0]) }
                var visited: Set = [tour[0]], total = 0.0
                for t in 1..<(n - 1) {
                    let f = apply(first, h, from: (b * n + tour[0]) * d), c = apply(current, h, from: (b * n + tour[t - 1]) * d)
                    let g = apply(graph, mean)
                    let q = (0..<d).map { g[$0] + f[$0] + c[$0] }
                    let logits = (0..<n).map { j -> Double in
                        let z = zip(q, keys[j]).reduce(0.0) { $0 + $1.0 * $1.1 } / Double(d).squareRoot()
                        return clip > 0 ? clip * tanh(z) : z
                    }
                    let open = (0..<n).filter { !visited.contains($0) }
                    let largest = open.map { logits[$0] }.max()!
                    total += logits[tour[t]] - largest - log(open.reduce(0.0) { $0 + exp(logits[$1] - largest) })
                    visited.insert(tour[t])
                }
                worst = max(worst, abs(total - decoded[b * n + s]))
            }
        }
        #expect(worst < 1e-4, "largest |Δ log π| over \(B * n) rollouts: \(worst)")
    }

    /// Every start's tour distribution sums to one, and sampling follows it (chi-square test).
    @Test func tourProbabilitiesSumToOneAndSamplesFollowThem() throws {
        let w = try Self.small(cities: 5)
        let p = w.initialParameters(seed: 3)
        let instance = w.validationSet.instance(0)
        let (logP, _) = Self.enumerate(w, instance, p)
        for s in 0..<5 { #expect(abs(logP[s].reduce(0.0) { $0 + exp($1) } - 1) < 1e-5) }
        // 3000 sampled rollouts from start 0 against the 24 enumerated probabilities.
        let orders = Self.tours(from: 0, cities: 5)
        let samples = 3000
        let batch = TSPBatch(instances: [TSPInstance](repeating: instance, count: samples), rolloutSeeds: (0..<samples).map { UInt64($0) })
        let tours = w.sampledTours(p, batch: batch)
        var counts = [Int](repeating: 0, count: orders.count)
        for k in 0..<samples {
            let tour = tours[(k * 25)..<(k * 25 + 5)].map(Int.init)
            counts[orders.firstIndex(of: tour)!] += 1
        }
        var chiSquare = 0.0
        for (k, count) in counts.enumerated() {
            let expected = Double(samples) * exp(logP[0][k])
            chiSquare += (Double(count) - expected) * (Double(count) - expected) / expected
        }
        // 23 degrees of freedom: P(χ² > 49.7) = 0.001.
        #expect(chiSquare < 49.7, "χ² = \(chiSquare) over 24 tours")
    }

    /// The surrogate's gradient with the sampled actions held fixed matches central differences.
    @Test(arguments: ["pomo", "batch"], [10.0, 0.0])
    func surrogateGradientMatchesCentralDifferencesWithFixedActions(baseline: String, clip: Double) throws {
        let w = try Self.small(["baseline": .string(baseline), "logit_clip": .number(clip)])
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 3)
        let actions = TSPPolicy.Decoding.given(w.sampledTours(p, batch: batch))
        var g = ParameterSet.zeros(like: p), sampled = ParameterSet.zeros(like: p)
        let value = w.lossAndGradient(p, batch: batch, decoding: actions, into: &g)
        // Replaying the sampled actions is exactly what the public entry points do.
        #expect(w.lossAndGradient(p, batch: batch, into: &sampled).bitPattern == value.bitPattern)
        #expect(sampled == g)
        #expect(w.loss(p, batch: batch).bitPattern == value.bitPattern)
        // Central differences in Double of the Float surrogate at random coordinates.
        var generator = RandomGenerator(seed: 4)
        let step: Float = 1e-2
        let sampledIndices = Array(generator.permutation(p.values.count).prefix(80))
        let rms = (sampledIndices.reduce(0.0) { $0 + Double(g.values[$1]) * Double(g.values[$1]) } / 80).squareRoot()
        // The Float surrogate sums Float log-probabilities: differences resolve about 1e-2 of the RMS entry.
        let floor = max(4 * Double(max(abs(value), 1e-3).ulp) / (2 * Double(step)), 1e-2 * rms)
        var worst = 0.0, worstText = "", checked = 0
        for i in sampledIndices {
            var plus = p, minus = p
            plus.values[i] += step
            minus.values[i] -= step
            let h = Double(plus.values[i]) - Double(minus.values[i])
            let numeric = (Double(w.loss(plus, batch: batch, decoding: actions)) - Double(w.loss(minus, batch: batch, decoding: actions))) / h
            let analytic = Double(g.values[i])
            let excess = abs(analytic - numeric) / (2e-2 * max(abs(analytic), abs(numeric)) + floor)
            if abs(analytic) > 10 * floor { checked += 1 }
            if excess > worst { (worst, worstText) = (excess, "[\(i)] \(p.views.first { $0.range.contains(i) }!.name): analytic \(analytic) numeric \(numeric)") }
        }
        #expect(worst <= 1, "worst error \(worst) × allowed at \(worstText)")
        #expect(checked >= 20, "only \(checked) sampled entries exceed the difference resolution \(floor)")
        // Every parameter tensor gets gradient.
        for view in p.views {
            #expect(g.withUnsafeBufferPointer(view) { $0.contains { $0 != 0 } }, "no gradient reaches \(view.name)")
        }
    }

    /// REINFORCE with the POMO baseline is unbiased up to its known factor:
    /// `E[∇J] = (1 − 1/n) ∇ mean_s E[L_s]`, the exact expectation taken by enumerating all
    /// tours of a 5-city instance. Checked along two random directions against the average
    /// of 4000 sampled gradients (within 4 standard errors).
    @Test func policyGradientIsAnUnbiasedEstimateOfTheExpectedTourLengthGradient() throws {
        let w = try Self.small(cities: 5, ["logit_clip": .number(0)])
        let p = w.initialParameters(seed: 2)
        let instance = w.validationSet.instance(1)
        func expectedLength(_ q: ParameterSet) -> Double {
            let (logP, lengths) = Self.enumerate(w, instance, q)
            return (0..<5).reduce(0.0) { total, s in total + zip(logP[s], lengths[s]).reduce(0.0) { $0 + exp($1.0) * $1.1 } } / 5
        }
        let samples = 4000
        let batch = TSPBatch(instances: [TSPInstance](repeating: instance, count: 1), rolloutSeeds: [0])
        for directionSeed in [11, 12] as [UInt64] {
            var v = WorkloadTestSupport.randomDirection(like: p, seed: directionSeed)
            let norm = v.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            for i in v.values.indices { v.values[i] /= Float(norm) }
            let eps: Float = 1e-2
            var plus = p, minus = p
            for i in p.values.indices { plus.values[i] += eps * v.values[i]; minus.values[i] -= eps * v.values[i] }
            let exact = (expectedLength(plus) - expectedLength(minus)) / (2 * Double(eps)) * (1 - 1.0 / 5)
            var projections: [Double] = []
            var g = ParameterSet.zeros(like: p)
            for k in 0..<samples {
                var single = batch
                single.rolloutSeeds = [UInt64(1000 + k)]
                _ = w.lossAndGradient(p, batch: single, into: &g)
                projections.append(zip(g.values, v.values).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
            }
            let mean = projections.reduce(0, +) / Double(samples)
            let variance = projections.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples - 1)
            let standardError = (variance / Double(samples)).squareRoot()
            #expect(abs(mean - exact) < 4 * standardError + 1e-3 * abs(exact), "direction \(directionSeed): sampled \(mean) ± \(standardError), exact \(exact)")
            #expect(abs(exact) > 4 * standardError, "the check has no power: exact \(exact), standard error \(standardError)")
        }
    }

    @Test func optimalToursHaveGapZeroAndTheMetricReadsTheReferenceInOrder() throws {
        let w = try Self.small(cities: 7, validation: 5, test: 4)
        // Held–Karp tours give gap exactly 0.
        let optimal = (0..<5).map { HeldKarp.solve(w.validationSet.instance($0)) }
        #expect(OptimalityGap.mean(costs: optimal.map(\.length), optima: w.reference.validation) == 0)
        for (i, solution) in optimal.enumerated() {
            #expect(w.validationSet.instance(i).tourLength(solution.tour) == w.reference.validation[i])
            #expect(w.validationSet.instance(i).tourLength(Array(solution.tour.reversed())) / w.reference.validation[i] - 1 < 1e-15)
        }
        #expect(abs(OptimalityGap.mean(costs: [3, 2], optima: [2, 2]) - 0.25) < 1e-15)
        // evaluate divides each instance's greedy length by its own optimum.
        let p = w.initialParameters(seed: 1)
        let greedy = w.greedyTours(p, w.validationSet)
        for (i, tour) in greedy.enumerated() {
            #expect(tour.length >= w.reference.validation[i] - 1e-12)
            #expect(abs(w.validationSet.instance(i).tourLength(tour.tour) - tour.length) < 1e-12)
        }
        var exactReference = w.reference
        exactReference.validation = greedy.map(\.length)
        let spec = w.spec
        let relabelled = try TSPWorkload(spec: spec, settings: w.settings, reference: exactReference, referencePath: "constructed")
        #expect(relabelled.evaluate(p).validationMetric == 0)
        exactReference.validation = greedy.map { $0.length / 2 }
        let halved = try TSPWorkload(spec: spec, settings: w.settings, reference: exactReference, referencePath: "constructed")
        #expect(abs(halved.evaluate(p).validationMetric - 1) < 1e-12)
    }

    @Test func multiStartGreedyIsTheBestOfTheGreedyRollouts() throws {
        let w = try Self.small(cities: 6)
        let p = w.initialParameters(seed: 4)
        let rollouts = w.policy.rollouts(p, w.testSet, decoding: .greedy, keepCache: false)
        let best = w.greedyTours(p, w.testSet, chunk: 4)
        for b in 0..<w.testSet.count {
            #expect(best[b].length == rollouts.lengths[(b * 6)..<((b + 1) * 6)].min())
        }
    }

    /// The loss is piecewise smooth in θ (sampled actions change at boundaries), so the
    /// finite-difference HVP is checked on a batch whose sampled actions are the same at
    /// θ ± εv (verified), against differences of fixed-action gradients with another step.
    @Test func hessianVectorProductMatchesFixedActionGradientDifferences() throws {
        let w = try Self.small(cities: 5)
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 1)
        let v = WorkloadTestSupport.randomDirection(like: p, seed: 4)
        let parameterNorm = p.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let vectorNorm = v.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let epsilon = Float(1e-3 * max(1, parameterNorm) / vectorNorm)
        var plus = p, minus = p
        for i in p.values.indices { plus.values[i] += epsilon * v.values[i]; minus.values[i] -= epsilon * v.values[i] }
        let tours = w.sampledTours(p, batch: batch)
        try #require(w.sampledTours(plus, batch: batch) == tours && w.sampledTours(minus, batch: batch) == tours)
        var hv = ParameterSet.zeros(like: p)
        w.hessianVectorProduct(p, batch: batch, vector: v, into: &hv)
        // Reference: fixed-action gradients at θ ± (ε/2) v.
        let half = epsilon / 2
        var gp = ParameterSet.zeros(like: p), gm = ParameterSet.zeros(like: p)
        var hp = p, hm = p
        for i in p.values.indices { hp.values[i] += half * v.values[i]; hm.values[i] -= half * v.values[i] }
        _ = w.lossAndGradient(hp, batch: batch, decoding: .given(tours), into: &gp)
        _ = w.lossAndGradient(hm, batch: batch, decoding: .given(tours), into: &gm)
        let reference = (0..<p.values.count).map { (Double(gp.values[$0]) - Double(gm.values[$0])) / Double(2 * half) }
        let rms = (reference.reduce(0.0) { $0 + $1 * $1 } / Double(reference.count)).squareRoot()
        #expect(rms > 0)
        var worst = 0.0
        for i in reference.indices {
            worst = max(worst, abs(Double(hv.values[i]) - reference[i]) / max(abs(reference[i]), 0.05 * rms))
        }
        #expect(worst < 0.1, "HVP worst relative error \(worst)")
    }

    @Test func adamTrainingShortensGreedyTours() throws {
        let w = try Self.small(cities: 8, validation: 32, test: 8, ["embedding_dim": .number(16), "feedforward_dim": .number(32)])
        let before = w.evaluate(w.initialParameters(seed: 1))
        let trained = WorkloadTestSupport.adam(w, seed: 1, steps: 150, learningRate: 3e-3, batchSize: 16)
        let after = w.evaluate(trained)
        #expect(after.validationMetric < before.validationMetric - 0.05, "gap \(before.validationMetric) → \(after.validationMetric)")
        #expect(after.trainLoss < before.trainLoss, "greedy length \(before.trainLoss) → \(after.trainLoss)")
    }

    @Test func realSpecLoadsWithTheStoredReference() throws {
        let spec = try WorkloadTestSupport.realSpec("tsp")
        #expect(spec.metric == "optimality_gap" && spec.direction == .minimize && spec.lossType == .custom)
        #expect(spec.variants.count >= 2)
        let w = try TSPWorkload(spec: spec)
        #expect(w.validationSet.count == w.settings.validationInstances && w.testSet.count == w.settings.testInstances)
        #expect(w.reference.validation.count >= w.validationSet.count)
        for variant in spec.variants { _ = try TSPSettings(spec: variant) }
    }

    /// The reference lives in a subfolder, so loading every spec of `workloads/` still works.
    @Test func everySpecInTheFolderLoadsAlongsideTheReference() throws {
        let names = try WorkloadSpec.loadAll(directory: WorkloadTestSupport.specDirectory).map(\.name)
        #expect(names.contains("tsp") && names.contains("transformer"))
    }

    @Test func specAndReferenceErrorsNameTheField() throws {
        func message(_ overrides: [String: JSONValue], reference: TSPReference? = nil) -> String {
            do {
                let spec = try WorkloadTestSupport.spec("tsp", overrides: overrides)
                let settings = try TSPSettings(spec: spec)
                let ref = reference ?? TSPReference(cities: settings.cities, dataSeed: settings.dataSeed,
                                                    validation: [Double](repeating: 1, count: settings.validationInstances),
                                                    test: [Double](repeating: 1, count: settings.testInstances))
                _ = try TSPWorkload(spec: spec, settings: settings, reference: ref, referencePath: "ref.json")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(message([:]) == "accepted")
        #expect(message(["heads": .number(3)]).contains("heads"))
        #expect(message(["baseline": .string("critic")]).contains("baseline"))
        #expect(message(["logit_clip": .number(-1)]).contains("logit_clip"))
        #expect(message(["cities": .number(40)]).contains("cities"))
        let short = TSPReference(cities: 20, dataSeed: 0, validation: [1], test: [1])
        #expect(message([:], reference: short).contains("reference_file"))
        let otherSeed = TSPReference(cities: 20, dataSeed: 7, validation: [Double](repeating: 1, count: 500), test: [Double](repeating: 1, count: 500))
        #expect(message([:], reference: otherSeed).contains("data seed"))
    }

    /// Calibration probe (OPTBENCH_CALIBRATE=1, release build): parameter count, step time at
    /// the default batch size and time-bounded Adam runs (OPTBENCH_SECONDS, default 15 s) on a
    /// learning-rate grid (OPTBENCH_RATES); extra settings from OPTBENCH_TSP_SETTINGS.
    @Test(.enabled(if: WorkloadTestSupport.calibrationEnabled), arguments: ["tsp", "tsp_batch_baseline", "tsp_noclip"])
    func calibrationProbe(name: String) throws {
        let environment = ProcessInfo.processInfo.environment
        if let only = environment["OPTBENCH_ONLY"], only != name { return }
        let base = try WorkloadTestSupport.realSpec("tsp")
        var spec = name == base.name ? base : try #require(base.variants.first { $0.name == name })
        if let text = environment["OPTBENCH_TSP_SETTINGS"], case .object(let extra) = try JSONValue.parse(Data(text.utf8), source: "env") {
            for (key, value) in extra { spec.settings[key] = value }
        }
        if let batch = environment["OPTBENCH_BATCH"].flatMap(Int.init) { spec.defaultBatchSize = batch }
        let seconds = environment["OPTBENCH_SECONDS"].flatMap(Double.init) ?? 15
        let rates = (environment["OPTBENCH_RATES"] ?? "0.0003,0.001").split(separator: ",").compactMap { Float($0) }
        let w = try TSPWorkload(spec: spec)
        let stepTime = WorkloadTestSupport.stepTime(w, steps: 10)
        let t0 = Date()
        let initial = w.evaluate(w.initialParameters(seed: 1))
        print("\(name): \(w.info.layout.count) parameters, step \(stepTime * 1e3) ms at batch \(w.info.defaultBatchSize), eval \(Date().timeIntervalSince(t0)) s, initial \(initial)")
        let steps = max(1, Int(seconds / stepTime))
        for rate in rates {
            var curve: [String] = []
            let final = WorkloadTestSupport.adam(w, seed: 1, steps: steps, learningRate: rate, onEvaluation: { step, p in
                curve.append(String(format: "%d:%.4f", step, w.evaluate(p).validationMetric))
                return false
            }, evaluateEvery: max(1, steps / 10))
            let m = w.evaluate(final)
            print("\(name) lr \(rate) \(steps) steps: final gap \(m.validationMetric) test \(m.testMetric) train length \(m.trainLoss); curve \(curve.joined(separator: " "))")
        }
    }
}

@Suite struct TSPEncoderTests {
    /// The encoder's backward against central differences of `f(θ) = Σ R ⊙ encoder(x; θ)`
    /// (in Double) for a fixed random `R`, to 2 % (entries below 5e-2 compared absolutely,
    /// to 1e-3). The Float forward's rounding, which depends on the instruction set oneDNN
    /// and OpenBLAS run with, moves `f` by up to about 5e-6, so the 1e-2 step's quotient
    /// is off by up to about 5e-4 (measured on an AMD EPYC VM: key weight 121's quotients
    /// were −0.00450, −0.00462, −0.00500, −0.00499, −0.00506 for steps 4e-2 down to 2.5e-3
    /// against an analytic −0.00454); a longer step cannot help, since the embedding
    /// bias's truncation error is already 11 % at 4e-2.
    @Test(arguments: [1, 2])
    func encoderGradientMatchesCentralDifferences(layers: Int) throws {
        let w = try TSPWorkloadTests.small(["encoder_layers": .number(Double(layers))])
        let policy = w.policy
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 2)
        let x = Tensor(shape: [2, 6, 2], scalars: batch.coordinates)
        var generator = RandomGenerator(seed: 8)
        let r = Tensor.randomNormal(shape: [2, 6, 8], using: &generator)
        func f(_ q: ParameterSet) -> Double {
            let h = policy.encoder.forward(x, parameters: q)
            return zip(h.scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        _ = policy.encoder.forward(x, parameters: p)
        var g = ParameterSet.zeros(like: p)
        _ = policy.encoder.backward(r, parameters: p, gradient: &g)
        var worst = 0.0, text = ""
        let views = p.views.filter { $0.name.hasPrefix("encoder") }
        for view in views {
            for i in view.range.prefix(12) {
                var plus = p, minus = p
                plus.values[i] += 1e-2
                minus.values[i] -= 1e-2
                let numeric = (f(plus) - f(minus)) / (Double(plus.values[i]) - Double(minus.values[i]))
                let analytic = Double(g.values[i])
                let error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), 5e-2)
                if error > worst { (worst, text) = (error, "\(view.name) [\(i)]: analytic \(analytic), numeric \(numeric)") }
            }
        }
        #expect(worst < 2e-2, "worst \(worst) at \(text)")
    }
}
