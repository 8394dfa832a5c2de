import Foundation
import NN
import Tensor

/// The TSP policy: an attention encoder over the cities and a pointer decoder that builds a
/// tour one city at a time (Kool et al. 2019; Kwon et al. 2020, POMO), reduced to what a
/// CPU benchmark can afford.
///
/// Encoder: `AttentionSetEncoder` over the cities' coordinates (`encoder_layers`
/// pre-LayerNorm layers, GELU rather than POMO's ReLU): embeddings `h_j`.
///
/// Decoder (single-head pointer, no glimpse): with `ḡ = mean_j h_j`, the rollout that
/// started at city `f` and stands at city `c` queries `q = W_g ḡ + W_f h_f + W_c h_c`, and
/// scores every unvisited city `j` with `u_j = C·tanh(q·k_j/√d)`, `k_j = W_k h_j`
/// (`u_j = q·k_j/√d` when `logit_clip` is 0); `π = softmax(u)` over the unvisited cities.
/// The four decoder matrices are `[d, d]`, named `decoder.graph|first|current|key`. Since
/// `q·k_j` splits into a first-city and a current-city part, the scores come from two
/// `n × n` tables per instance (`PointerTables`), not from one product per step.
///
/// POMO rollouts: every instance is decoded `n` times, rollout `s` forced to start at city
/// `s`; the `n − 2` choices with at least two candidates are sampled (or taken greedily), the
/// last city is forced. `backward` takes a coefficient per rollout, `∂J/∂(Σ_t log π(a_t))`,
/// and writes the exact gradient of `J` with the actions held fixed.
final class TSPPolicy {
    enum Decoding {
        /// Sample each choice by inversion of a uniform number from the instance's rollout seed.
        case sample
        /// The most probable city (lowest index on ties).
        case greedy
        /// Replay given tours (`instances × n × n`, rollout `s` of instance `b` at row `b·n + s`).
        case given([Int32])
    }

    /// Tours, their lengths and log-probabilities; `cache` holds what `backward` needs.
    struct Rollouts {
        let instances: Int
        let cities: Int
        /// `instances × n × n`: city at step `t` of rollout `s` of instance `b` is at `(b·n + s)·n + t`.
        var tours: [Int32]
        /// Σ_t log π(a_t) per rollout (Double).
        var logProbabilities: [Double]
        /// Closed tour length per rollout (Double, from the Float coordinates).
        var lengths: [Double]
        var cache: DecoderCache?
    }

    struct DecoderCache {
        let embeddings: Tensor  // [B·n, d]
        /// `[B·n, d]`: `W_k h_j`, `W_g ḡ + W_f h_s` (the graph term folded in), `W_c h_c`.
        let keys: [Float], firstQueries: [Float], currents: [Float]
        let means: [Float]  // [B, d]
        /// `[B, steps, n, width]` (`PointerTables.width`): tanh(z) (clipped logits only), and π, zero at visited cities.
        let squashed: [Float], probabilities: [Float]
    }

    let cities: Int
    let dimension: Int
    let clip: Float
    let layout: ParameterLayout
    let encoder: Sequential
    let graphQuery: ParameterView, firstQuery: ParameterView, currentQuery: ParameterView, keyProjection: ParameterView

    init(settings s: TSPSettings) {
        cities = s.cities
        dimension = s.encoder.dimension
        clip = Float(s.logitClip)
        var layout = ParameterLayout()
        let d = s.encoder.dimension
        encoder = AttentionSetEncoder.make(inputFeatures: 2, s.encoder, layout: &layout)
        graphQuery = layout.add("decoder.graph.weight", shape: [d, d], kind: .attentionQ)
        firstQuery = layout.add("decoder.first.weight", shape: [d, d], kind: .attentionQ)
        currentQuery = layout.add("decoder.current.weight", shape: [d, d], kind: .attentionQ)
        keyProjection = layout.add("decoder.key.weight", shape: [d, d], kind: .attentionK)
        self.layout = layout
    }

    /// Encoder layers initialise themselves; decoder matrices are LeCun normal `N(0, 1/d)`.
    func initialParameters(using generator: inout RandomGenerator) -> ParameterSet {
        var p = ParameterSet(layout: layout)
        encoder.initialize(&p, using: &generator)
        let deviation = 1 / Float(dimension).squareRoot()
        for view in [graphQuery, firstQuery, currentQuery, keyProjection] {
            p.withUnsafeMutableBufferPointer(view) { generator.fillNormal($0, standardDeviation: deviation) }
        }
        return p
    }

    /// `rows × d` times the transpose of the `[d, d]` matrix `view`: `X Wᵀ`.
    private func project(_ x: UnsafePointer<Float>, rows: Int, _ view: ParameterView, _ parameters: ParameterSet) -> [Float] {
        var y = [Float](repeating: 0, count: rows * dimension)
        y.withUnsafeMutableBufferPointer { yb in
            parameters.withUnsafeBufferPointer(view) { w in
                BLAS.gemm(.none, .transposed, m: rows, n: dimension, k: dimension, a: x, b: w.baseAddress!, c: yb.baseAddress!)
            }
        }
        return y
    }

    /// Encodes and decodes every instance of `batch` from every start city.
    func rollouts(_ parameters: ParameterSet, _ batch: TSPBatch, decoding: Decoding, keepCache: Bool) -> Rollouts {
        precondition(parameters.layout == layout, "tsp policy: parameters have another layout (\(parameters.values.count) values, expected \(layout.count))")
        precondition(batch.cities == cities, "tsp policy: batch has \(batch.cities) cities, the policy \(cities)")
        let (B, n, d) = (batch.count, cities, dimension)
        if case .given(let tours) = decoding {
            precondition(tours.count == B * n * n, "tsp policy: given tours have \(tours.count) entries, expected \(B * n * n)")
        }
        let input = Tensor(shape: [B, n, 2], scalars: batch.coordinates)
        let embeddings = encoder.forward(input, parameters: parameters).reshaped(to: [B * n, d])
        var means = [Float](repeating: 0, count: B * d)
        let (keys, firstQueries, currents): ([Float], [Float], [Float]) = embeddings.withUnsafeBufferPointer { h in
            for b in 0..<B {
                for j in 0..<n { for c in 0..<d { means[b * d + c] += h[(b * n + j) * d + c] } }
                for c in 0..<d { means[b * d + c] /= Float(n) }
            }
            let graph = means.withUnsafeBufferPointer { project($0.baseAddress!, rows: B, graphQuery, parameters) }
            var firstQueries = project(h.baseAddress!, rows: B * n, firstQuery, parameters)
            for b in 0..<B { for s in 0..<n { for c in 0..<d { firstQueries[(b * n + s) * d + c] += graph[b * d + c] } } }
            return (project(h.baseAddress!, rows: B * n, keyProjection, parameters), firstQueries,
                    project(h.baseAddress!, rows: B * n, currentQuery, parameters))
        }
        let steps = max(n - 2, 0)
        let width = PointerTables.width(cities: n)
        var tours = [Int32](repeating: 0, count: B * n * n)
        var logProbabilities = [Double](repeating: 0, count: B * n)
        // With the cache, each (instance, step) keeps its squashed logits and probabilities;
        // without, each part of the split below reuses one row's worth.
        var squashed = [Float](repeating: 0, count: keepCache && clip > 0 ? B * steps * n * width : 0)
        var probabilities = [Float](repeating: 0, count: keepCache ? B * steps * n * width : 0)
        let decoder = InstanceDecoder(
            cities: n, dimension: d, clip: clip, decoding: decoding, seeds: batch.rolloutSeeds,
            firstQueries: firstQueries, currents: currents, keys: keys)
        // Instances decode independently, each into its own slices: the split over the
        // trial's threads does not change a bit.
        let parts = ParallelRanges.parts(forElements: B * steps * n * n)
        tours.withUnsafeMutableBufferPointer { toursOut in
            logProbabilities.withUnsafeMutableBufferPointer { logOut in
                squashed.withUnsafeMutableBufferPointer { squashedOut in
                    probabilities.withUnsafeMutableBufferPointer { probabilitiesOut in
                        guard let toursOut = SharedBuffer(toursOut), let logOut = SharedBuffer(logOut) else { return }
                        let outputs = InstanceDecoder.Outputs(
                            tours: toursOut, logProbabilities: logOut,
                            squashed: keepCache && clip > 0 ? SharedBuffer(squashedOut) : nil,
                            probabilities: keepCache ? SharedBuffer(probabilitiesOut) : nil)
                        ParallelRanges.forEach(B, parts: parts) { range in decoder.decode(range, into: outputs) }
                    }
                }
            }
        }
        var lengths = [Double](repeating: 0, count: B * n)
        for b in 0..<B {
            let instance = batch.instance(b)
            for s in 0..<n {
                var total = 0.0
                for t in 0..<n {
                    total += instance.distance(Int(tours[(b * n + s) * n + t]), Int(tours[(b * n + s) * n + (t + 1) % n]))
                }
                lengths[b * n + s] = total
            }
        }
        let cache = keepCache
            ? DecoderCache(embeddings: embeddings, keys: keys, firstQueries: firstQueries, currents: currents, means: means,
                           squashed: squashed, probabilities: probabilities)
            : nil
        return Rollouts(instances: B, cities: n, tours: tours, logProbabilities: logProbabilities, lengths: lengths, cache: cache)
    }

    /// Gradient of `J = Σ_r coefficients[r] · Σ_t log π(a_t | r)` with the actions of
    /// `rollouts` fixed, written (not accumulated) into `gradient`. Must follow the
    /// `rollouts(…, keepCache: true)` call that produced `rollouts`, with the same parameters.
    func backward(_ rollouts: Rollouts, coefficients: [Double], parameters: ParameterSet, gradient: inout ParameterSet) {
        guard let cache = rollouts.cache else { preconditionFailure("tsp policy: backward needs rollouts made with keepCache") }
        let (B, n, d) = (rollouts.instances, cities, dimension)
        precondition(coefficients.count == B * n, "tsp policy: \(coefficients.count) coefficients for \(B * n) rollouts")
        precondition(gradient.values.count == layout.count, "tsp policy: gradient buffer has \(gradient.values.count) values, expected \(layout.count)")
        gradient.values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        let steps = max(n - 2, 0)
        var keyGradient = [Float](repeating: 0, count: B * n * d)
        var firstGradient = [Float](repeating: 0, count: B * n * d)
        var currentGradient = [Float](repeating: 0, count: B * n * d)
        var graphGradient = [Float](repeating: 0, count: B * d)
        let backward = InstanceBackward(
            cities: n, dimension: d, clip: clip, coefficients: coefficients, tours: rollouts.tours, cache: cache)
        // Instances write their own slices of the four gradients: the split over the
        // trial's threads does not change a bit.
        let parts = ParallelRanges.parts(forElements: B * steps * n * n)
        keyGradient.withUnsafeMutableBufferPointer { dk in
            firstGradient.withUnsafeMutableBufferPointer { df in
                currentGradient.withUnsafeMutableBufferPointer { dc in
                    graphGradient.withUnsafeMutableBufferPointer { dg in
                        guard let dk = SharedBuffer(dk), let df = SharedBuffer(df), let dc = SharedBuffer(dc), let dg = SharedBuffer(dg)
                        else { return }
                        ParallelRanges.forEach(B, parts: parts) { range in
                            backward.accumulate(range, keys: dk.base, firsts: df.base, currents: dc.base, graph: dg.base)
                        }
                    }
                }
            }
        }
        // Back through the projections to the embeddings: dW += dYᵀ X, dH = Σ dY W.
        var embeddingGradient = [Float](repeating: 0, count: B * n * d)
        cache.embeddings.withUnsafeBufferPointer { h in
            for (dy, view) in [(keyGradient, keyProjection), (firstGradient, firstQuery), (currentGradient, currentQuery)] {
                dy.withUnsafeBufferPointer { g in
                    gradient.withUnsafeMutableBufferPointer(view) { dw in
                        BLAS.gemm(.transposed, .none, m: d, n: d, k: B * n, a: g.baseAddress!, b: h.baseAddress!, beta: 1, c: dw.baseAddress!)
                    }
                    parameters.withUnsafeBufferPointer(view) { w in
                        embeddingGradient.withUnsafeMutableBufferPointer { dh in
                            BLAS.gemm(.none, .none, m: B * n, n: d, k: d, a: g.baseAddress!, b: w.baseAddress!, beta: 1, c: dh.baseAddress!)
                        }
                    }
                }
            }
        }
        var meanGradient = [Float](repeating: 0, count: B * d)
        graphGradient.withUnsafeBufferPointer { g in
            cache.means.withUnsafeBufferPointer { m in
                gradient.withUnsafeMutableBufferPointer(graphQuery) { dw in
                    BLAS.gemm(.transposed, .none, m: d, n: d, k: B, a: g.baseAddress!, b: m.baseAddress!, beta: 1, c: dw.baseAddress!)
                }
            }
            parameters.withUnsafeBufferPointer(graphQuery) { w in
                meanGradient.withUnsafeMutableBufferPointer { dm in
                    BLAS.gemm(.none, .none, m: B, n: d, k: d, a: g.baseAddress!, b: w.baseAddress!, c: dm.baseAddress!)
                }
            }
        }
        let inverse = 1 / Float(n)
        for b in 0..<B {
            for j in 0..<n { for c in 0..<d { embeddingGradient[(b * n + j) * d + c] += meanGradient[b * d + c] * inverse } }
        }
        encoder.accumulateParameterGradients(Tensor(shape: [B, n, d], scalars: embeddingGradient), parameters: parameters, gradient: &gradient)
    }
}
