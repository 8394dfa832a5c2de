import Tensor

/// Goemans–Williamson rounding with a fixed, seeded set of random hyperplanes: node `i`
/// goes to side `⟨v_i, r⟩ ≥ 0`; the reported cut is the best over the hyperplanes.
struct HyperplaneRounding: Sendable {
    let rank: Int
    let count: Int
    /// `rank × count`, column `t` = hyperplane normal `r_t ~ N(0, I)`.
    let normals: [Float]

    init(rank: Int, count: Int, seed: UInt64) {
        precondition(rank >= 1 && count >= 1, "HyperplaneRounding: rank and count must be ≥ 1, got \(rank), \(count)")
        self.rank = rank
        self.count = count
        var generator = RandomGenerator(seed: seed)
        var normals = [Float](repeating: 0, count: rank * count)
        normals.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
        self.normals = normals
    }

    /// The best cut over the hyperplanes for the embedding `vectors` (`n × rank`,
    /// row-major), with the side assignment that achieves it (ties: the first hyperplane).
    func bestCut(_ graph: MaxCutGraph, vectors: UnsafeBufferPointer<Float>) -> (cut: Double, side: [Bool]) {
        let n = graph.nodes
        precondition(vectors.count == n * rank, "HyperplaneRounding: embedding has \(vectors.count) values, expected \(n) × \(rank)")
        var projections = [Float](repeating: 0, count: n * count)
        projections.withUnsafeMutableBufferPointer { s in
            normals.withUnsafeBufferPointer { r in
                BLAS.gemm(.none, .none, m: n, n: count, k: rank, a: vectors.baseAddress!, b: r.baseAddress!, c: s.baseAddress!)
            }
        }
        var cuts = [Double](repeating: 0, count: count)
        projections.withUnsafeBufferPointer { s in
            for e in 0..<graph.edgeCount {
                let a = graph.sources[e] * count, b = graph.targets[e] * count
                let w = Double(graph.weights[e])
                for t in 0..<count where (s[a + t] >= 0) != (s[b + t] >= 0) { cuts[t] += w }
            }
        }
        var best = 0
        for t in 1..<count where cuts[t] > cuts[best] { best = t }
        let side = (0..<n).map { projections[$0 * count + best] >= 0 }
        return (cuts[best], side)
    }
}
