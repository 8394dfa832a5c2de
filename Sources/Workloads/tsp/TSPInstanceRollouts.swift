import Foundation
import NN
import Tensor

/// The pointer scores of one instance as two tables, so that a decoding step adds two rows
/// instead of running a matrix product.
///
/// Rollout `s` standing at city `c` scores city `j` with `z_j = q·k_j/√d`, where
/// `q = W_g ḡ + W_f h_s + W_c h_c`. With `f_s = W_g ḡ + W_f h_s` (the graph term folded
/// into the first-city rows) and `c_c = W_c h_c`, `z_j = P[s, j] + Q[c, j]` for
/// `P = F Kᵀ/√d` and `Q = C Kᵀ/√d`: two `n × n × d` products per instance replace one per
/// step. Rows are `width` floats apart (`n` rounded up to whole `LaneMath.Lanes`), zero
/// beyond `n`, so every row operation runs on whole vectors.
enum PointerTables {
    typealias Lanes = LaneMath.Lanes

    /// `cities` rounded up to a whole number of lanes: the stride of every padded row.
    static func width(cities: Int) -> Int {
        (cities + Lanes.scalarCount - 1) / Lanes.scalarCount * Lanes.scalarCount
    }

    /// `scale · rows · keysᵀ` for one instance's `n × d` rows and keys, into `n` padded rows.
    static func scores(
        _ rows: UnsafePointer<Float>, keys: UnsafePointer<Float>, cities n: Int, dimension d: Int, scale: Float,
        into table: UnsafeMutablePointer<Float>, width: Int
    ) {
        BLAS.gemm(.none, .transposed, m: n, n: n, k: d, alpha: scale, a: rows, b: keys, c: table, ldc: width)
    }
}

/// Decodes the POMO rollouts of a range of instances (`TSPPolicy.rollouts`' inner loop):
/// everything one instance reads is shared read-only, and everything it writes is its own
/// slice of the outputs, so ranges run concurrently with the same bits as in one loop.
///
/// Each step's row of logits, its `tanh` and its softmax run on whole vectors (`LaneMath`'s
/// `exp` and `tanh`, about 2 ulp); the normaliser `log Σ exp` and the log-probabilities
/// are summed in Double.
struct InstanceDecoder: Sendable {
    typealias Lanes = LaneMath.Lanes

    /// The output buffers, each instance writing its own slices.
    struct Outputs: Sendable {
        let tours: SharedBuffer<Int32>
        let logProbabilities: SharedBuffer<Double>
        /// `[B, steps, n, width]` rows of `tanh` of the raw scores (clipped logits, cache kept only).
        let squashed: SharedBuffer<Float>?
        /// `[B, steps, n, width]` rows of `π`, zero at visited cities (cache kept only).
        let probabilities: SharedBuffer<Float>?
    }

    /// One range's working rows: the two pointer tables, the availability mask (1 at
    /// unvisited cities, 0 elsewhere and in the padding), and one row each of logits,
    /// `tanh` and `π` for when the cache is not kept.
    private struct Scratch {
        let firstScores: UnsafeMutablePointer<Float>
        let currentScores: UnsafeMutablePointer<Float>
        let available: UnsafeMutablePointer<Float>
        let logits: UnsafeMutablePointer<Float>
        let squashed: UnsafeMutablePointer<Float>
        let probabilities: UnsafeMutablePointer<Float>

        static func count(cities n: Int, width w: Int) -> Int { 3 * n * w + 3 * w }

        init(_ base: UnsafeMutablePointer<Float>, cities n: Int, width w: Int) {
            firstScores = base
            currentScores = base + n * w
            available = base + 2 * n * w
            logits = base + 3 * n * w
            squashed = logits + w
            probabilities = squashed + w
        }
    }

    let cities: Int, dimension: Int, clip: Float
    let decoding: TSPPolicy.Decoding
    let seeds: [UInt64]
    /// `[B·n, d]`: `W_g ḡ_b + W_f h_s` per (instance, start city).
    let firstQueries: [Float]
    /// `[B·n, d]`: `W_c h_c` and `W_k h_j`.
    let currents: [Float], keys: [Float]

    func decode(_ range: Range<Int>, into outputs: Outputs) {
        guard !range.isEmpty else { return }
        let n = cities, w = PointerTables.width(cities: n)
        var storage = [Float](repeating: 0, count: Scratch.count(cities: n, width: w))
        storage.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let scratch = Scratch(base, cities: n, width: w)
            for b in range { decodeInstance(b, width: w, scratch: scratch, outputs: outputs) }
        }
    }

    /// One instance's rollouts from every start city (the body of the loop `decode` runs).
    private func decodeInstance(_ b: Int, width w: Int, scratch: Scratch, outputs: Outputs) {
        let (n, d) = (cities, dimension)
        let steps = max(n - 2, 0)
        let scale = 1 / Float(d).squareRoot()
        keys.withUnsafeBufferPointer { k in
            for (rows, table) in [(firstQueries, scratch.firstScores), (currents, scratch.currentScores)] {
                rows.withUnsafeBufferPointer { r in
                    PointerTables.scores(r.baseAddress! + b * n * d, keys: k.baseAddress! + b * n * d, cities: n, dimension: d,
                                         scale: scale, into: table, width: w)
                }
            }
        }
        let tours = outputs.tours.base + b * n * n
        let logProbabilities = outputs.logProbabilities.base + b * n
        for s in 0..<n {
            let row = scratch.available + s * w
            for j in 0..<w { row[j] = j < n ? 1 : 0 }
            row[s] = 0
            tours[s * n] = Int32(s)
        }
        var generator = RandomGenerator(seed: seeds[b])
        for t in 1..<(n - 1) {
            let slot = b * steps + (t - 1)
            for s in 0..<n {
                let cached = (slot * n + s) * w
                let squashed = outputs.squashed.map { $0.base + cached } ?? scratch.squashed
                let probabilities = outputs.probabilities.map { $0.base + cached } ?? scratch.probabilities
                let available = scratch.available + s * w
                let current = Int(tours[s * n + t - 1])
                let logNormalizer = distribution(
                    first: scratch.firstScores + s * w, current: scratch.currentScores + current * w, available: available,
                    width: w, logits: scratch.logits, squashed: squashed, probabilities: probabilities)
                let action = choice(b, rollout: s, step: t, available: available, logits: scratch.logits,
                                    probabilities: probabilities, generator: &generator)
                logProbabilities[s] += Double(scratch.logits[action]) - logNormalizer
                tours[s * n + t] = Int32(action)
                available[action] = 0
            }
        }
        // One candidate left: forced, log π = 0.
        for s in 0..<n {
            let available = scratch.available + s * w
            let last = (0..<n).first { available[$0] != 0 } ?? s
            tours[s * n + n - 1] = Int32(last)
        }
    }

    /// Writes one rollout's logits `u` (`C·tanh(z)`, or `z` unclipped, with `tanh(z)` in
    /// `squashed` when clipped) and `π = softmax(u)` over the available cities (0 elsewhere),
    /// and returns `log Σ_{available} exp(u_j)`.
    @inline(__always)
    private func distribution(
        first: UnsafePointer<Float>, current: UnsafePointer<Float>, available: UnsafePointer<Float>, width w: Int,
        logits: UnsafeMutablePointer<Float>, squashed: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>
    ) -> Double {
        var maximum = Lanes(repeating: -.infinity)
        for i in stride(from: 0, to: w, by: Lanes.scalarCount) {
            var u = LaneMath.load(first + i) + LaneMath.load(current + i)
            if clip > 0 {
                let squash = LaneMath.tanh(u)
                LaneMath.store(squash, squashed + i)
                u = clip * squash
            }
            LaneMath.store(u, logits + i)
            maximum.replace(with: u, where: u .> maximum .& (LaneMath.load(available + i) .!= 0))
        }
        var largest = maximum[0]
        for lane in 1..<Lanes.scalarCount where maximum[lane] > largest { largest = maximum[lane] }
        var total = Lanes()
        for i in stride(from: 0, to: w, by: Lanes.scalarCount) {
            let e = LaneMath.exp(LaneMath.load(logits + i) - largest) * LaneMath.load(available + i)
            LaneMath.store(e, probabilities + i)
            total += e
        }
        let sum = total.sum()
        let inverse = 1 / sum
        for i in stride(from: 0, to: w, by: Lanes.scalarCount) {
            LaneMath.store(LaneMath.load(probabilities + i) * inverse, probabilities + i)
        }
        return Double(largest) + Foundation.log(Double(sum))
    }

    /// The city rollout `s` of instance `b` moves to at step `t`, by the decoding rule.
    @inline(__always)
    private func choice(
        _ b: Int, rollout s: Int, step t: Int, available: UnsafePointer<Float>, logits: UnsafePointer<Float>,
        probabilities: UnsafePointer<Float>, generator: inout RandomGenerator
    ) -> Int {
        let n = cities
        switch decoding {
        case .greedy:
            var best = -1
            for j in 0..<n where available[j] != 0 && (best < 0 || logits[j] > logits[best]) { best = j }
            return best
        case .sample:
            let u = generator.nextDouble()
            var cumulative = 0.0, chosen = -1
            for j in 0..<n where available[j] != 0 {
                chosen = j
                cumulative += Double(probabilities[j])
                if u < cumulative { break }
            }
            return chosen
        case .given(let given):
            let action = Int(given[(b * n + s) * n + t])
            precondition(action >= 0 && action < n && available[action] != 0,
                         "tsp policy: given tour of instance \(b), rollout \(s) revisits or leaves the cities at step \(t) (city \(action))")
            return action
        }
    }
}

/// The gradient of the decoder's choices for a range of instances (`TSPPolicy.backward`'s
/// inner loop): each instance adds only into its own rows of the key, first-city,
/// current-city and graph gradients, so ranges run concurrently with the same bits as in
/// one loop.
///
/// With `G_t` the gradient of `J` with respect to step `t`'s raw scores `z`, the pointer
/// tables' gradients are `ΣP = Σ_t G_t` and `ΣQ[c] = Σ_{t,s: at c} G_t[s]`; then
/// `dF = ΣP K/√d`, `dC = ΣQ K/√d`, `dK = (ΣPᵀ F + ΣQᵀ C)/√d` and the graph term's gradient
/// is the sum of `dF`'s rows: four products per instance.
struct InstanceBackward: Sendable {
    typealias Lanes = LaneMath.Lanes

    let cities: Int, dimension: Int, clip: Float
    let coefficients: [Double]
    let tours: [Int32]
    let cache: TSPPolicy.DecoderCache

    func accumulate(
        _ range: Range<Int>, keys keyGradient: UnsafeMutablePointer<Float>, firsts firstGradient: UnsafeMutablePointer<Float>,
        currents currentGradient: UnsafeMutablePointer<Float>, graph graphGradient: UnsafeMutablePointer<Float>
    ) {
        let (n, d) = (cities, dimension)
        let w = PointerTables.width(cities: n)
        let scale = 1 / Float(d).squareRoot()
        var tables = [Float](repeating: 0, count: 2 * n * w)
        tables.withUnsafeMutableBufferPointer { buffer in
            guard let firstTable = buffer.baseAddress else { return }
            let currentTable = firstTable + n * w
            for b in range {
                buffer.update(repeating: 0)
                sumScoreGradients(b, width: w, first: firstTable, current: currentTable)
                cache.keys.withUnsafeBufferPointer { k in
                    let keys = k.baseAddress! + b * n * d
                    BLAS.gemm(.none, .none, m: n, n: d, k: n, alpha: scale, a: firstTable, lda: w, b: keys, c: firstGradient + b * n * d)
                    BLAS.gemm(.none, .none, m: n, n: d, k: n, alpha: scale, a: currentTable, lda: w, b: keys, c: currentGradient + b * n * d)
                }
                cache.firstQueries.withUnsafeBufferPointer { f in
                    BLAS.gemm(.transposed, .none, m: n, n: d, k: n, alpha: scale, a: firstTable, lda: w,
                              b: f.baseAddress! + b * n * d, c: keyGradient + b * n * d)
                }
                cache.currents.withUnsafeBufferPointer { c in
                    BLAS.gemm(.transposed, .none, m: n, n: d, k: n, alpha: scale, a: currentTable, lda: w,
                              b: c.baseAddress! + b * n * d, beta: 1, c: keyGradient + b * n * d)
                }
                for s in 0..<n {
                    for c in 0..<d { graphGradient[b * d + c] += firstGradient[(b * n + s) * d + c] }
                }
            }
        }
    }

    /// Adds every step's `G_t[s] = c_s (e_a − π) · C(1 − tanh²z)` (without the clip factor
    /// when unclipped) into row `s` of the first-city table and row `at(s, t)` of the
    /// current-city table.
    private func sumScoreGradients(_ b: Int, width w: Int, first: UnsafeMutablePointer<Float>, current: UnsafeMutablePointer<Float>) {
        let n = cities
        let steps = max(n - 2, 0)
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        cache.probabilities.withUnsafeBufferPointer { probabilities in
            cache.squashed.withUnsafeBufferPointer { squashed in
                for step in 0..<steps {
                    let t = step + 1
                    let slot = b * steps + step
                    for s in 0..<n {
                        let coefficient = Lanes(repeating: Float(coefficients[b * n + s]))
                        let action = Int32(tours[(b * n + s) * n + t])
                        let at = Int(tours[(b * n + s) * n + t - 1])
                        let row = (slot * n + s) * w
                        for i in stride(from: 0, to: w, by: Lanes.scalarCount) {
                            let chosen = Lanes().replacing(with: 1, where: lanes &+ Int32(i) .== action)
                            // dJ/du_j = c (δ_{j,a} − π_j); zero at visited cities and in the padding (π = 0, never chosen).
                            var g = coefficient * (chosen - LaneMath.load(probabilities.baseAddress! + row + i))
                            if clip > 0 {
                                let squash = LaneMath.load(squashed.baseAddress! + row + i)
                                g *= clip * (1 - squash * squash)
                            }
                            LaneMath.store(LaneMath.load(first + s * w + i) + g, first + s * w + i)
                            LaneMath.store(LaneMath.load(current + at * w + i) + g, current + at * w + i)
                        }
                    }
                }
            }
        }
    }
}
