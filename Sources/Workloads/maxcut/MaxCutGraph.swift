import Tensor

/// An undirected weighted graph as an edge list (`source < target`), with adjacency
/// lists for local search.
public struct MaxCutGraph: Sendable, Equatable {
    public let nodes: Int
    public let sources: [Int]
    public let targets: [Int]
    public let weights: [Float]
    /// `neighbors[i]`: (node, weight) pairs.
    let neighbors: [[(node: Int, weight: Float)]]

    public var edgeCount: Int { sources.count }

    /// A graph from explicit edges; each edge `(i, j)` with `i ≠ j`, both in `0..<nodes`.
    public init(nodes: Int, edges: [(Int, Int)], weights: [Float]? = nil) {
        precondition(nodes >= 2, "MaxCutGraph: needs at least 2 nodes, got \(nodes)")
        let weights = weights ?? [Float](repeating: 1, count: edges.count)
        precondition(weights.count == edges.count, "MaxCutGraph: \(edges.count) edges but \(weights.count) weights")
        var sources: [Int] = [], targets: [Int] = []
        var neighbors = [[(node: Int, weight: Float)]](repeating: [], count: nodes)
        for (index, (a, b)) in edges.enumerated() {
            precondition(a != b && (0..<nodes).contains(a) && (0..<nodes).contains(b),
                         "MaxCutGraph: edge \(index) = (\(a), \(b)) must join two distinct nodes in 0..<\(nodes)")
            sources.append(min(a, b))
            targets.append(max(a, b))
            neighbors[a].append((b, weights[index]))
            neighbors[b].append((a, weights[index]))
        }
        self.nodes = nodes
        self.sources = sources
        self.targets = targets
        self.weights = weights
        self.neighbors = neighbors
    }

    /// An Erdős–Rényi graph `G(n, p)`: each of the `n(n−1)/2` pairs is an edge with
    /// probability `p`, in lexicographic pair order; with `signedWeights` each edge weight
    /// is ±1 with equal probability (as in the G-set's signed instances), otherwise 1.
    public static func erdosRenyi(nodes: Int, edgeProbability p: Double, signedWeights: Bool, seed: UInt64) -> MaxCutGraph {
        var generator = RandomGenerator(seed: seed)
        var edges: [(Int, Int)] = []
        var weights: [Float] = []
        for i in 0..<nodes {
            for j in (i + 1)..<max(i + 1, nodes) where generator.nextDouble() < p {
                edges.append((i, j))
                weights.append(signedWeights ? (generator.nextUInt32() & 1 == 0 ? 1 : -1) : 1)
            }
        }
        return MaxCutGraph(nodes: nodes, edges: edges, weights: weights)
    }

    public static func == (a: MaxCutGraph, b: MaxCutGraph) -> Bool {
        a.nodes == b.nodes && a.sources == b.sources && a.targets == b.targets && a.weights == b.weights
    }

    /// Total weight of the edges whose ends lie on different sides (`side[i]` true/false), in Double.
    public func cutValue(_ side: [Bool]) -> Double {
        precondition(side.count == nodes, "MaxCutGraph.cutValue: \(side.count) sides for \(nodes) nodes")
        var total = 0.0
        for e in 0..<edgeCount where side[sources[e]] != side[targets[e]] { total += Double(weights[e]) }
        return total
    }
}
