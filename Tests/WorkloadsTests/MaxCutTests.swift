import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

@Suite struct MaxCutTests {
    static func smallSpec(_ extra: [String: JSONValue] = [:], variant: String? = nil) throws -> WorkloadSpec {
        var overrides: [String: JSONValue] = [
            "nodes": .number(40), "edge_probability": .number(0.2), "rank": .number(4),
            "rounding_hyperplanes": .number(16), "reference_iterations": .number(200),
        ]
        overrides.merge(extra) { $1 }
        return try WorkloadTestSupport.spec("maxcut", variant: variant, overrides: overrides)
    }

    static func small(_ extra: [String: JSONValue] = [:], variant: String? = nil) throws -> MaxCutWorkload {
        try MaxCutWorkload(spec: smallSpec(extra, variant: variant))
    }

    /// A workload on `graph` with the small spec's other settings.
    static func on(_ graph: MaxCutGraph, rank: Int = 4, referenceCut: Double? = nil) throws -> MaxCutWorkload {
        let spec = try smallSpec(["nodes": .number(Double(graph.nodes)), "rank": .number(Double(rank))])
        return try MaxCutWorkload(spec: spec, settings: MaxCutSettings(spec: spec), graph: graph, referenceCut: referenceCut)
    }

    /// Parameters putting node i at `+e₁` when `side[i]`, else at `−e₁` (a perfect ±1 embedding).
    static func signEmbedding(_ workload: MaxCutWorkload, _ side: [Bool]) -> ParameterSet {
        var p = ParameterSet(layout: workload.info.layout)
        let k = workload.settings.rank
        for (i, s) in side.enumerated() { p.values[i * k] = s ? 1 : -1 }
        return p
    }

    @Test func sameSeedGivesBitIdenticalGraphReferenceParametersAndLoss() throws {
        let a = try Self.small(), b = try Self.small()
        #expect(a.graph == b.graph)
        #expect(a.referenceCut == b.referenceCut)
        let pa = a.initialParameters(seed: 3), pb = b.initialParameters(seed: 3)
        #expect(pa == pb)
        let batchA = a.makeDataStream(seed: 4).nextBatch(size: 50), batchB = b.makeDataStream(seed: 4).nextBatch(size: 50)
        #expect(batchA == batchB)
        #expect(a.loss(pa, batch: batchA).bitPattern == b.loss(pb, batch: batchB).bitPattern)
        #expect(a.evaluate(pa) == b.evaluate(pb))
    }

    @Test func differentSeedsGiveDifferentGraphsParametersAndBatches() throws {
        let a = try Self.small(), b = try Self.small(["data_seed": .number(1)])
        #expect(a.graph != b.graph)
        #expect(a.initialParameters(seed: 1) != a.initialParameters(seed: 2))
        #expect(a.makeDataStream(seed: 1).nextBatch(size: 20) != a.makeDataStream(seed: 2).nextBatch(size: 20))
    }

    @Test func erdosRenyiEdgeCountMatchesItsProbability() {
        let g = MaxCutGraph.erdosRenyi(nodes: 200, edgeProbability: 0.05, signedWeights: false, seed: 1)
        let pairs = 200.0 * 199 / 2, mean = pairs * 0.05, sd = (pairs * 0.05 * 0.95).squareRoot()
        #expect(abs(Double(g.edgeCount) - mean) < 5 * sd, "edges \(g.edgeCount), expected \(mean) ± \(sd)")
        #expect(zip(g.sources, g.targets).allSatisfy { $0 < $1 })
        let signed = MaxCutGraph.erdosRenyi(nodes: 200, edgeProbability: 0.05, signedWeights: true, seed: 1)
        let negatives = signed.weights.filter { $0 == -1 }.count
        #expect(signed.weights.allSatisfy { $0 == 1 || $0 == -1 })
        #expect(abs(Double(negatives) - Double(signed.edgeCount) / 2) < 5 * (Double(signed.edgeCount) / 4).squareRoot())
    }

    @Test func perfectEmbeddingOfABipartiteGraphHasCutRatioOne() throws {
        // A random bipartite graph between even and odd nodes: the maximum cut is every edge.
        var generator = RandomGenerator(seed: 5)
        var edges: [(Int, Int)] = []
        for i in stride(from: 0, to: 30, by: 2) { for j in stride(from: 1, to: 30, by: 2) where generator.nextDouble() < 0.3 { edges.append((i, j)) } }
        let graph = MaxCutGraph(nodes: 30, edges: edges)
        let w = try Self.on(graph)
        // The reference search finds the optimum, every edge.
        #expect(w.referenceCut == Double(edges.count))
        let perfect = Self.signEmbedding(w, (0..<30).map { $0 % 2 == 0 })
        let metrics = w.evaluate(perfect)
        #expect(metrics.validationMetric == 1 && metrics.testMetric == 1)
        #expect(metrics.trainLoss == -1)  // every edge anti-aligned
        #expect(abs(w.relaxedCut(perfect) - Double(edges.count)) < 1e-9)
        // Everything on one side cuts nothing.
        let collapsed = Self.signEmbedding(w, [Bool](repeating: true, count: 30))
        #expect(w.evaluate(collapsed).validationMetric == 0)
    }

    @Test func referenceSearchFindsKnownMaximumCuts() throws {
        // Odd cycle C₇: 6 of 7 edges. Complete graph K₆: 3·3 = 9 edges.
        let cycle = MaxCutGraph(nodes: 7, edges: (0..<7).map { ($0, ($0 + 1) % 7) })
        #expect(LocalSearchReference.bestCut(cycle, iterations: 50, seed: 1).cut == 6)
        var complete: [(Int, Int)] = []
        for i in 0..<6 { for j in (i + 1)..<6 { complete.append((i, j)) } }
        #expect(LocalSearchReference.bestCut(MaxCutGraph(nodes: 6, edges: complete), iterations: 50, seed: 1).cut == 9)
        // A random signed 14-node graph against exhaustive search over all 2^13 cuts.
        let g = MaxCutGraph.erdosRenyi(nodes: 14, edgeProbability: 0.4, signedWeights: true, seed: 9)
        var exact = -Double.infinity
        for mask in 0..<(1 << 13) {
            let side = (0..<14).map { $0 == 13 ? false : (mask >> $0) & 1 == 1 }
            exact = max(exact, g.cutValue(side))
        }
        let found = LocalSearchReference.bestCut(g, iterations: 200, seed: 2)
        #expect(found.cut == exact, "local search \(found.cut), exhaustive \(exact)")
        #expect(g.cutValue(found.side) == found.cut)
    }

    @Test func roundingTheReferenceAssignmentRecoversTheReferenceCut() throws {
        let w = try Self.small()
        let reference = LocalSearchReference.bestCut(
            w.graph, iterations: w.settings.referenceIterations, seed: StableHash.derive(w.settings.dataSeed, "maxcut.reference"))
        #expect(reference.cut == w.referenceCut)
        #expect(w.evaluate(Self.signEmbedding(w, reference.side)).validationMetric == 1)
    }

    @Test(arguments: [nil, "maxcut_signed"] as [String?])
    func gradientMatchesCentralDifferences(variant: String?) throws {
        let w = try Self.small(variant: variant)
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 100)
        WorkloadTestSupport.checkGradient(w, parameters: p, batch: batch, samples: 40, step: 1e-2, tolerance: 2e-2)
    }

    @Test func hessianVectorProductMatchesGradientDifferences() throws {
        let w = try Self.small()
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 100)
        let v = WorkloadTestSupport.randomDirection(like: p, seed: 4)
        WorkloadTestSupport.checkHessianVectorProduct(w, parameters: p, batch: batch, vector: v, step: 3e-2, tolerance: 5e-2)
    }

    @Test func lossIsInvariantToRowScaling() throws {
        let w = try Self.small()
        let p = w.initialParameters(seed: 1)
        var scaled = p
        let k = w.settings.rank
        for i in 0..<w.graph.nodes { for c in 0..<k { scaled.values[i * k + c] *= Float(1 + i % 5) } }
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 100)
        #expect(abs(w.loss(p, batch: batch) - w.loss(scaled, batch: batch)) < 1e-5)
    }

    @Test func gradientDescentLowersTheLossAndRaisesTheCut() throws {
        let w = try Self.small()
        let run = WorkloadTestSupport.gradientDescent(w, seed: 1, steps: 300, learningRate: 0.5, batchSize: 64)
        let before = w.evaluate(run.initial), after = w.evaluate(run.final)
        #expect(after.trainLoss < before.trainLoss - 0.2, "loss \(before.trainLoss) → \(after.trainLoss)")
        #expect(after.validationMetric > 0.9 && after.validationMetric >= before.validationMetric, "ratio \(before.validationMetric) → \(after.validationMetric)")
    }

    /// Calibration probe (OPTBENCH_CALIBRATE=1): Adam with cosine decay over 2 × step_hint
    /// steps on a small learning-rate grid; fails only if no rate reaches the target.
    @Test(.enabled(if: WorkloadTestSupport.calibrationEnabled), arguments: ["maxcut", "maxcut_signed"])
    func calibrationProbe(name: String) throws {
        let base = try WorkloadTestSupport.realSpec("maxcut")
        let spec = name == base.name ? base : try #require(base.variants.first { $0.name == name })
        let start = Date()
        let w = try MaxCutWorkload(spec: spec)
        print("\(name): build \(Date().timeIntervalSince(start)) s, \(w.graph.edgeCount) edges, reference \(w.referenceCut), \(w.info.layout.count) parameters, step \(WorkloadTestSupport.stepTime(w) * 1e3) ms at batch \(w.info.defaultBatchSize)")
        var anyReached = false
        for rate: Float in [0.003, 0.01, 0.03, 0.1] {
            var reached: Int? = nil
            var best = 0.0
            let t0 = Date()
            let final = WorkloadTestSupport.adam(w, seed: 1, steps: 2 * spec.stepHint, learningRate: rate, onEvaluation: { step, p in
                let m = w.evaluate(p).validationMetric
                best = max(best, m)
                if reached == nil, m >= spec.validationTarget { reached = step }
                return false
            })
            if reached != nil { anyReached = true }
            print("\(name) lr \(rate): final \(w.evaluate(final)), relaxed \(w.relaxedCut(final)), best \(best), target \(spec.validationTarget) reached at \(reached.map(String.init) ?? "never"), \(Date().timeIntervalSince(t0)) s for \(2 * spec.stepHint) steps incl. evals")
        }
        #expect(anyReached, "\(name): no learning rate reached the validation target \(spec.validationTarget)")
    }
}
