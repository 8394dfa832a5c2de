import Foundation
import NN
import Tensor

/// Decodes the POMO rollouts of a range of instances (`TSPPolicy.rollouts`' inner loop):
/// everything one instance reads is shared read-only, and everything it writes is its own
/// slice of the outputs, so ranges run concurrently with the same bits as in one loop.
struct InstanceDecoder: Sendable {
    /// The output buffers, each instance writing its own slices (nil: not kept).
    struct Outputs: Sendable {
        let tours: SharedBuffer<Int32>?
        let logProbabilities: SharedBuffer<Double>?
        let queries: SharedBuffer<Float>?
        let squashed: SharedBuffer<Float>?
        let probabilities: SharedBuffer<Float>?
    }

    let cities: Int, dimension: Int, clip: Float, keepCache: Bool
    let decoding: TSPPolicy.Decoding
    let seeds: [UInt64]
    let graphTerms: [Float], firsts: [Float], currents: [Float], keys: [Float]

    func decode(_ range: Range<Int>, into outputs: Outputs) {
        guard !range.isEmpty, let toursOut = outputs.tours, let logOut = outputs.logProbabilities else { return }
        let (n, d, keepCache) = (cities, dimension, self.keepCache)
        let steps = max(n - 2, 0)
        let scale = 1 / Float(d).squareRoot()
        let tours = toursOut.base, logProbabilities = logOut.base
        // Without the cache, one step's queries, squashed logits and probabilities for this
        // range, one after the other; with it, the shared slices.
        var scratch = [Float](repeating: 0, count: keepCache ? 0 : n * d + 2 * n * n)
        var visited = [Bool](repeating: false, count: n * n)
        var scores = [Float](repeating: 0, count: n * n)
        scratch.withUnsafeMutableBufferPointer { scratch in
            let base = scratch.baseAddress
            guard let queries = keepCache ? outputs.queries?.base : base,
                  let probabilities = keepCache ? outputs.probabilities?.base : base.map({ $0 + n * d + n * n })
            else { return }
            let squashed = keepCache ? outputs.squashed?.base : base.map { $0 + n * d }
            for b in range {
                decodeInstance(
                    b, steps: steps, scale: scale, tours: tours, logProbabilities: logProbabilities, queries: queries,
                    squashed: squashed, probabilities: probabilities, visited: &visited, scores: &scores)
            }
        }
    }

    /// One instance's rollouts from every start city (the body of the loop `decode` runs).
    private func decodeInstance(
        _ b: Int, steps: Int, scale: Float, tours: UnsafeMutablePointer<Int32>, logProbabilities: UnsafeMutablePointer<Double>,
        queries: UnsafeMutablePointer<Float>, squashed: UnsafeMutablePointer<Float>?, probabilities: UnsafeMutablePointer<Float>,
        visited: inout [Bool], scores: inout [Float]
    ) {
        let (n, d, clip, keepCache) = (cities, dimension, self.clip, self.keepCache)
        var generator = RandomGenerator(seed: seeds[b])
        for i in visited.indices { visited[i] = false }
        for s in 0..<n {
            tours[(b * n + s) * n] = Int32(s)
            visited[s * n + s] = true
        }
        for t in 1..<n {
            if t == n - 1 {
                // One candidate left: forced, log π = 0.
                for s in 0..<n {
                    let last = (0..<n).first { !visited[s * n + $0] }!
                    tours[(b * n + s) * n + t] = Int32(last)
                    visited[s * n + last] = true
                }
                continue
            }
            let slot = keepCache ? (b * steps + (t - 1)) : 0
            let q = queries + slot * n * d
            for s in 0..<n {
                let current = Int(tours[(b * n + s) * n + t - 1])
                for c in 0..<d {
                    q[s * d + c] = graphTerms[b * d + c] + firsts[(b * n + s) * d + c] + currents[(b * n + current) * d + c]
                }
            }
            keys.withUnsafeBufferPointer { kb in
                scores.withUnsafeMutableBufferPointer { zb in
                    BLAS.gemm(.none, .transposed, m: n, n: n, k: d, alpha: scale, a: q, b: kb.baseAddress! + b * n * d, c: zb.baseAddress!)
                }
            }
            for s in 0..<n {
                let row = slot * n * n + s * n
                var maximum = -Float.infinity
                for j in 0..<n where !visited[s * n + j] {
                    var u = scores[s * n + j]
                    if clip > 0 {
                        let squash = Foundation.tanh(u)
                        squashed?[(keepCache ? row : s * n) + j] = squash
                        u = clip * squash
                    }
                    scores[s * n + j] = u
                    maximum = max(maximum, u)
                }
                var total = 0.0
                for j in 0..<n where !visited[s * n + j] { total += Double(Foundation.exp(scores[s * n + j] - maximum)) }
                let logTotal = Double(maximum) + Foundation.log(total)
                let base = keepCache ? row : s * n
                for j in 0..<n {
                    probabilities[base + j] = visited[s * n + j] ? 0 : Float(Foundation.exp(Double(scores[s * n + j]) - logTotal))
                }
                let action: Int
                switch decoding {
                case .greedy:
                    var best = -1
                    for j in 0..<n where !visited[s * n + j] && (best < 0 || scores[s * n + j] > scores[s * n + best]) { best = j }
                    action = best
                case .sample:
                    let u = generator.nextDouble()
                    var cumulative = 0.0, chosen = -1
                    for j in 0..<n where !visited[s * n + j] {
                        chosen = j
                        cumulative += Foundation.exp(Double(scores[s * n + j]) - logTotal)
                        if u < cumulative { break }
                    }
                    action = chosen
                case .given(let given):
                    action = Int(given[(b * n + s) * n + t])
                    precondition(action >= 0 && action < n && !visited[s * n + action],
                                 "tsp policy: given tour of instance \(b), rollout \(s) revisits or leaves the cities at step \(t) (city \(action))")
                }
                logProbabilities[b * n + s] += Double(scores[s * n + action]) - logTotal
                tours[(b * n + s) * n + t] = Int32(action)
                visited[s * n + action] = true
            }
        }
    }
}

/// The gradient of the decoder's choices for a range of instances (`TSPPolicy.backward`'s
/// inner loop): each instance adds only into its own rows of the key, first-city,
/// current-city and graph gradients, so ranges run concurrently with the same bits as in
/// one loop.
struct InstanceBackward: Sendable {
    let cities: Int, dimension: Int, clip: Float
    let coefficients: [Double]
    let tours: [Int32]
    let cache: TSPPolicy.DecoderCache

    func accumulate(
        _ range: Range<Int>, keys keyGradient: UnsafeMutablePointer<Float>, firsts firstGradient: UnsafeMutablePointer<Float>,
        currents currentGradient: UnsafeMutablePointer<Float>, graph graphGradient: UnsafeMutablePointer<Float>
    ) {
        let (n, d, clip) = (cities, dimension, self.clip)
        let steps = max(n - 2, 0)
        let scale = 1 / Float(d).squareRoot()
        var scoreGradient = [Float](repeating: 0, count: n * n)
        var queryGradient = [Float](repeating: 0, count: n * d)
        for b in range {
            for step in 0..<steps {
                let t = step + 1
                let slot = b * steps + step
                for s in 0..<n {
                    let c = Float(coefficients[b * n + s])
                    let action = Int(tours[(b * n + s) * n + t])
                    let row = slot * n * n + s * n
                    for j in 0..<n {
                        let p = cache.probabilities[row + j]
                        // dJ/du_j = c (δ_{j,a} − π_j); zero at visited cities (π = 0, never chosen).
                        var g = c * ((j == action ? 1 : 0) - p)
                        if clip > 0 {
                            let squash = cache.squashed[row + j]
                            g *= clip * (1 - squash * squash)
                        }
                        scoreGradient[s * n + j] = g * scale
                    }
                }
                cache.queries.withUnsafeBufferPointer { qb in
                    cache.keys.withUnsafeBufferPointer { kb in
                        scoreGradient.withUnsafeBufferPointer { zb in
                            queryGradient.withUnsafeMutableBufferPointer { dq in
                                // dQ = dZ K_b, dK_b += dZᵀ Q.
                                BLAS.gemm(.none, .none, m: n, n: d, k: n, a: zb.baseAddress!, b: kb.baseAddress! + b * n * d, c: dq.baseAddress!)
                            }
                            BLAS.gemm(.transposed, .none, m: n, n: d, k: n, a: zb.baseAddress!, b: qb.baseAddress! + slot * n * d,
                                      beta: 1, c: keyGradient + b * n * d)
                        }
                    }
                }
                for s in 0..<n {
                    let current = Int(tours[(b * n + s) * n + t - 1])
                    for c in 0..<d {
                        let g = queryGradient[s * d + c]
                        graphGradient[b * d + c] += g
                        firstGradient[(b * n + s) * d + c] += g
                        currentGradient[(b * n + current) * d + c] += g
                    }
                }
            }
        }
    }
}
