import Core
import NN
import Tensor

/// A sample of edges (indices into the graph's edge list), the "examples" of MaxCut.
public struct MaxCutBatch: Sendable, Equatable {
    public var edges: [Int]
    public init(edges: [Int]) { self.edges = edges }
}

/// MaxCut through the Burer–Monteiro relaxation on a seeded Erdős–Rényi graph.
///
/// Parameters: `V ∈ R^{n×k}` (one row per node, layout name `embedding`). The loss on a
/// sample `B` of edges is `L(V) = (1/|B|) Σ_{(i,j)∈B} w_ij ⟨v̂_i, v̂_j⟩` with
/// `v̂_i = v_i / ‖v_i‖` (rows normalised inside the loss, so the iterate needs no
/// projection); on all `m` edges, `Σ w_ij (1 − ⟨v̂_i, v̂_j⟩)/2 = (W − m·L)/2` is the
/// relaxed cut, so minimising `L` maximises it. Its gradient is exact:
/// `∂L/∂v_i = (I − v̂_i v̂_iᵀ) s_i / ‖v_i‖` with `s_i = (1/|B|) Σ_{j: (i,j)∈B} w_ij v̂_j`.
/// Hessian-vector products are central finite differences of gradients
/// (`finiteDifferenceHessianVectorProduct`).
///
/// Metric (maximise): the best cut over a fixed set of seeded random hyperplanes
/// (`HyperplaneRounding`) divided by the reference cut of `LocalSearchReference`, found
/// once at construction. Validation and test use two different hyperplane sets; the
/// training loss reported by `evaluate` is `L` on all edges.
public final class MaxCutWorkload: Workload {
    public typealias Batch = MaxCutBatch

    /// Edges in reshuffled epochs.
    public final class Stream: DataStream {
        private var sampler: EpochSampler
        init(edgeCount: Int, seed: UInt64) { sampler = EpochSampler(count: edgeCount, seed: seed) }
        public func nextBatch(size: Int) -> MaxCutBatch { MaxCutBatch(edges: sampler.next(size)) }
    }

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let settings: MaxCutSettings
    public let graph: MaxCutGraph
    /// The best cut the reference procedure found (the metric's denominator).
    public let referenceCut: Double
    let embedding: ParameterView
    let validationRounding: HyperplaneRounding
    let testRounding: HyperplaneRounding
    private let allEdges: MaxCutBatch

    /// Builds the graph, the hyperplanes and the reference cut described by `spec`.
    public convenience init(spec: WorkloadSpec) throws {
        let settings = try MaxCutSettings(spec: spec)
        let graph = MaxCutGraph.erdosRenyi(
            nodes: settings.nodes, edgeProbability: settings.edgeProbability, signedWeights: settings.signedWeights,
            seed: StableHash.derive(settings.dataSeed, "maxcut.graph"))
        guard graph.edgeCount >= 1 else {
            throw InputError(source: spec.source, field: "settings.edge_probability", message: "gives a graph without edges; raise it or the node count")
        }
        try self.init(spec: spec, settings: settings, graph: graph, referenceCut: nil)
    }

    /// A workload on an explicit graph (for tests); the reference is searched when nil.
    init(spec: WorkloadSpec, settings: MaxCutSettings, graph: MaxCutGraph, referenceCut: Double?) throws {
        self.spec = spec
        self.settings = settings
        self.graph = graph
        let reference = referenceCut ?? LocalSearchReference.bestCut(
            graph, iterations: settings.referenceIterations, seed: StableHash.derive(settings.dataSeed, "maxcut.reference")).cut
        guard reference > 0 else {
            throw InputError(source: spec.source, field: "settings", message: "describe a graph whose best known cut is \(reference); the cut ratio needs a positive reference")
        }
        self.referenceCut = reference
        var layout = ParameterLayout()
        embedding = layout.add("embedding", shape: [graph.nodes, settings.rank], kind: .embedding)
        validationRounding = HyperplaneRounding(
            rank: settings.rank, count: settings.roundingHyperplanes, seed: StableHash.derive(settings.dataSeed, "maxcut.hyperplanes.validation"))
        testRounding = HyperplaneRounding(
            rank: settings.rank, count: settings.roundingHyperplanes, seed: StableHash.derive(settings.dataSeed, "maxcut.hyperplanes.test"))
        allEdges = MaxCutBatch(edges: Array(0..<graph.edgeCount))
        info = WorkloadInfo(
            name: spec.name, layout: layout, lossType: .custom, defaultBatchSize: spec.defaultBatchSize,
            stepHint: spec.stepHint, trainingExamples: graph.edgeCount)
    }

    /// Rows `N(0, 1/k)` per entry, so each row has norm ≈ 1.
    public func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "maxcut.init"))
        var p = ParameterSet(layout: info.layout)
        p.values.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 1 / Float(settings.rank).squareRoot()) }
        return p
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(edgeCount: graph.edgeCount, seed: StableHash.derive(seed, "maxcut.stream"))
    }

    /// Unit rows `v̂_i` and inverse norms `1/‖v_i‖` (norms clamped at 1e-12).
    private func normalizedRows(_ parameters: ParameterSet) -> (unit: [Float], inverseNorm: [Float]) {
        precondition(parameters.values.count == info.layout.count,
                     "maxcut: parameters have \(parameters.values.count) values, expected \(graph.nodes) × \(settings.rank)")
        let k = settings.rank
        var unit = parameters.values
        var inverseNorm = [Float](repeating: 0, count: graph.nodes)
        unit.withUnsafeMutableBufferPointer { u in
            for i in 0..<graph.nodes {
                var sum: Float = 0
                for c in 0..<k { sum += u[i * k + c] * u[i * k + c] }
                let inverse = 1 / max(sum.squareRoot(), 1e-12)
                inverseNorm[i] = inverse
                for c in 0..<k { u[i * k + c] *= inverse }
            }
        }
        return (unit, inverseNorm)
    }

    private func meanAlignment(_ unit: UnsafeBufferPointer<Float>, _ batch: MaxCutBatch) -> Float {
        let k = settings.rank
        var total = 0.0
        for e in batch.edges {
            let a = graph.sources[e] * k, b = graph.targets[e] * k
            var dot: Float = 0
            for c in 0..<k { dot += unit[a + c] * unit[b + c] }
            total += Double(graph.weights[e]) * Double(dot)
        }
        return Float(total / Double(max(batch.edges.count, 1)))
    }

    public func loss(_ parameters: ParameterSet, batch: MaxCutBatch) -> Float {
        let (unit, _) = normalizedRows(parameters)
        return unit.withUnsafeBufferPointer { meanAlignment($0, batch) }
    }

    public func lossAndGradient(_ parameters: ParameterSet, batch: MaxCutBatch, into gradient: inout ParameterSet) -> Float {
        precondition(gradient.values.count == info.layout.count, "maxcut: gradient buffer has \(gradient.values.count) values, expected \(info.layout.count)")
        let (unit, inverseNorm) = normalizedRows(parameters)
        let k = settings.rank
        let scale = 1 / Float(max(batch.edges.count, 1))
        return unit.withUnsafeBufferPointer { u -> Float in
            let loss = meanAlignment(u, batch)
            gradient.values.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] = 0 }
                // s_i = (1/|B|) Σ w_ij v̂_j, accumulated in place.
                for e in batch.edges {
                    let a = graph.sources[e] * k, b = graph.targets[e] * k
                    let w = graph.weights[e] * scale
                    for c in 0..<k {
                        g[a + c] += w * u[b + c]
                        g[b + c] += w * u[a + c]
                    }
                }
                // Project out the radial part and divide by the norm.
                for i in 0..<graph.nodes {
                    var radial: Float = 0
                    for c in 0..<k { radial += u[i * k + c] * g[i * k + c] }
                    for c in 0..<k { g[i * k + c] = (g[i * k + c] - radial * u[i * k + c]) * inverseNorm[i] }
                }
            }
            return loss
        }
    }

    public func hessianVectorProduct(_ parameters: ParameterSet, batch: MaxCutBatch, vector: ParameterSet, into result: inout ParameterSet) {
        finiteDifferenceHessianVectorProduct(parameters, batch: batch, vector: vector, into: &result)
    }

    public func exampleCount(of batch: MaxCutBatch) -> Int { batch.edges.count }

    public func split(_ batch: MaxCutBatch, into parts: Int) -> [MaxCutBatch] {
        evenRanges(count: batch.edges.count, parts: parts).map { MaxCutBatch(edges: Array(batch.edges[$0])) }
    }

    /// The relaxed cut `Σ w_ij (1 − ⟨v̂_i, v̂_j⟩)/2` over all edges (an upper bound on the
    /// cut of any rounding when V is a global optimum of the rank-k relaxation).
    public func relaxedCut(_ parameters: ParameterSet) -> Double {
        let totalWeight = graph.weights.reduce(0.0) { $0 + Double($1) }
        return (totalWeight - Double(graph.edgeCount) * Double(loss(parameters, batch: allEdges))) / 2
    }

    /// The best hyperplane-rounded cut of `parameters` with the validation (or test) hyperplanes.
    public func roundedCut(_ parameters: ParameterSet, test: Bool = false) -> (cut: Double, side: [Bool]) {
        precondition(parameters.values.count == info.layout.count, "maxcut: parameters have \(parameters.values.count) values, expected \(info.layout.count)")
        return parameters.values.withUnsafeBufferPointer { (test ? testRounding : validationRounding).bestCut(graph, vectors: $0) }
    }

    /// Loss on all edges; validation and test cut ratios (rounded cut / reference cut).
    public func evaluate(_ parameters: ParameterSet) -> Metrics {
        Metrics(
            trainLoss: Double(loss(parameters, batch: allEdges)),
            validationMetric: roundedCut(parameters).cut / referenceCut,
            testMetric: roundedCut(parameters, test: true).cut / referenceCut)
    }

    public func validationMetric(_ parameters: ParameterSet) -> Double { roundedCut(parameters).cut / referenceCut }
}
