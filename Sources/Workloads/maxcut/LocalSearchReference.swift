import Tensor

/// The reference ("best known") cut of a MaxCut instance, found once at workload
/// construction by a seeded iterated local search:
///
/// 1. a uniformly random ±1 assignment, improved by best-improvement single-node flips
///    until no flip increases the cut (a 1-flip local optimum);
/// 2. `iterations` times: flip `max(2, n/20)` random nodes of the current local optimum,
///    descend again, and keep the result when its cut is at least the current one;
/// 3. the largest cut seen.
///
/// On a bipartite graph with positive weights it returns every edge (tested); on the
/// suite's random graphs it is a lower bound on the maximum cut, so a rounded
/// relaxation can in principle exceed it (ratio > 1).
enum LocalSearchReference {
    static func bestCut(_ graph: MaxCutGraph, iterations: Int, seed: UInt64) -> (cut: Double, side: [Bool]) {
        var generator = RandomGenerator(seed: seed)
        let n = graph.nodes
        var side = (0..<n).map { _ in generator.nextUInt32() & 1 == 1 }
        var gain = gains(graph, side)
        var cut = graph.cutValue(side)
        descend(graph, &side, &gain, &cut)
        var best = (cut, side)
        let kicks = max(2, n / 20)
        for _ in 0..<iterations {
            var trialSide = side, trialGain = gain, trialCut = cut
            for _ in 0..<kicks { flip(graph, generator.nextInt(below: n), &trialSide, &trialGain, &trialCut) }
            descend(graph, &trialSide, &trialGain, &trialCut)
            if trialCut >= cut { (side, gain, cut) = (trialSide, trialGain, trialCut) }
            if cut > best.0 { best = (cut, side) }
        }
        return best
    }

    /// `gain[i]`: change of the cut when node `i` switches side.
    static func gains(_ graph: MaxCutGraph, _ side: [Bool]) -> [Double] {
        (0..<graph.nodes).map { i in
            graph.neighbors[i].reduce(0.0) { $0 + (side[$1.node] == side[i] ? Double($1.weight) : -Double($1.weight)) }
        }
    }

    static func flip(_ graph: MaxCutGraph, _ i: Int, _ side: inout [Bool], _ gain: inout [Double], _ cut: inout Double) {
        cut += gain[i]
        gain[i] = -gain[i]
        side[i].toggle()
        for (j, w) in graph.neighbors[i] {
            // Edge (i, j) was cut iff it is not now when sides now match, and vice versa.
            gain[j] += side[j] == side[i] ? 2 * Double(w) : -2 * Double(w)
        }
    }

    /// Best-improvement 1-flip descent to a local optimum (gain ≤ 1e-9 everywhere).
    static func descend(_ graph: MaxCutGraph, _ side: inout [Bool], _ gain: inout [Double], _ cut: inout Double) {
        while true {
            var bestNode = -1, bestGain = 1e-9
            for i in 0..<graph.nodes where gain[i] > bestGain { (bestNode, bestGain) = (i, gain[i]) }
            if bestNode < 0 { return }
            flip(graph, bestNode, &side, &gain, &cut)
        }
    }
}
