import Foundation
import NN
import Tensor

/// The jobshop policy: a learned dispatching rule. At each choice point of the active
/// simulator (`ActiveScheduler`, a conflict set of two or more jobs) every job's next
/// operation is a token with `OperationFeatures`; the attention encoder
/// (`AttentionSetEncoder`, no positions, so the order of the jobs does not matter) embeds
/// them as `h_j`, each operation scores `u_j = w · h_j` (`w`: the `[d]` vector
/// `decoder.score.weight`), and `π = softmax(u)` over the conflict set. Forced moves (a
/// conflict set of one) consume no choice and contribute nothing to log-probabilities.
///
/// A rollout schedules one instance completely. Rollouts run side by side, one encoder call
/// per round of choices; each choice point's features, legal set and action are recorded;
/// `score` re-encodes all of them in one batch to give the log-probability of every rollout
/// at fixed actions, and `backward` the exact gradient of `Σ_r c_r · log π(rollout r)`.
final class JobShopPolicy {
    enum Decoding {
        /// Sample each choice by inversion of a uniform number from the rollout's seed.
        case sample
        /// The highest-scoring operation (lowest job index on ties).
        case greedy
        /// Replay given schedules: per rollout, the job of every scheduled operation in order
        /// (forced moves included), `jobs · machines` entries.
        case given([[Int]])
    }

    /// The choice points of a set of rollouts, in the order they were met.
    struct Decisions {
        var count = 0
        /// `count × jobs × OperationFeatures.count`.
        var features: [Float] = []
        /// `count × jobs`: legal choices.
        var legal: [Bool] = []
        var actions: [Int] = []
        var rollouts: [Int] = []
    }

    /// Complete schedules of a set of rollouts.
    struct Rollouts {
        /// The final simulator state per rollout (start times, makespan).
        var schedules: [ActiveScheduler]
        /// Per rollout, the job of each scheduled operation in order.
        var sequences: [[Int]]
        var decisions: Decisions
    }

    let dimension: Int
    let layout: ParameterLayout
    let encoder: Sequential
    let scoreWeight: ParameterView

    init(settings s: JobShopSettings) {
        dimension = s.encoder.dimension
        var layout = ParameterLayout()
        encoder = AttentionSetEncoder.make(inputFeatures: OperationFeatures.count, s.encoder, layout: &layout)
        scoreWeight = layout.add("decoder.score.weight", shape: [1, s.encoder.dimension], kind: .weight)
        self.layout = layout
    }

    /// Encoder layers initialise themselves; the score vector is `N(0, 1/d)`.
    func initialParameters(using generator: inout RandomGenerator) -> ParameterSet {
        var p = ParameterSet(layout: layout)
        encoder.initialize(&p, using: &generator)
        p.withUnsafeMutableBufferPointer(scoreWeight) { generator.fillNormal($0, standardDeviation: 1 / Float(dimension).squareRoot()) }
        return p
    }

    /// Scores `u = H w` of the encoded tokens `features` (`rows` tokens); also returns `H`.
    private func encode(_ features: [Float], tokens: Int, jobs: Int, parameters: ParameterSet) -> (embeddings: Tensor, scores: [Float]) {
        let input = Tensor(shape: [tokens / jobs, jobs, OperationFeatures.count], scalars: features)
        let embeddings = encoder.forward(input, parameters: parameters)
        var scores = [Float](repeating: 0, count: tokens)
        embeddings.withUnsafeBufferPointer { h in
            parameters.withUnsafeBufferPointer(scoreWeight) { w in
                scores.withUnsafeMutableBufferPointer { u in
                    BLAS.gemm(.none, .transposed, m: tokens, n: 1, k: dimension, a: h.baseAddress!, b: w.baseAddress!, c: u.baseAddress!)
                }
            }
        }
        return (embeddings, scores)
    }

    /// `log Σ_{legal j} exp(u_j)` of one choice point, in Double.
    private static func logNormaliser(_ scores: ArraySlice<Float>, _ legal: ArraySlice<Bool>) -> Double {
        var maximum = -Double.infinity
        for (u, ok) in zip(scores, legal) where ok { maximum = max(maximum, Double(u)) }
        var total = 0.0
        for (u, ok) in zip(scores, legal) where ok { total += Foundation.exp(Double(u) - maximum) }
        return maximum + Foundation.log(total)
    }

    /// Schedules `instances[r]` once per rollout `r`; `seeds[r]` drives rollout `r`'s samples.
    func rollouts(_ parameters: ParameterSet, instances: [JobShopInstance], seeds: [UInt64], decoding: Decoding) -> Rollouts {
        precondition(parameters.layout == layout, "jobshop policy: parameters have another layout (\(parameters.values.count) values, expected \(layout.count))")
        precondition(seeds.count == instances.count && !instances.isEmpty, "jobshop policy: one seed per rollout")
        let jobs = instances[0].jobs
        precondition(instances.allSatisfy { $0.jobs == jobs }, "jobshop policy: rollouts of one call need one number of jobs")
        let count = instances.count
        var schedulers = instances.map(ActiveScheduler.init)
        var generators = seeds.map { RandomGenerator(seed: $0) }
        var sequences = [[Int]](repeating: [], count: count)
        if case .given(let given) = decoding {
            precondition(given.count == count && zip(given, instances).allSatisfy { $0.count == $1.operations },
                         "jobshop policy: given schedules must list every operation of every rollout")
        }
        var decisions = Decisions()
        let width = jobs * OperationFeatures.count
        while true {
            // Forced moves, up to each rollout's next real choice.
            var waiting: [(rollout: Int, candidates: [Int])] = []
            for r in 0..<count {
                while !schedulers[r].isComplete {
                    let candidates = schedulers[r].conflictSet()
                    if candidates.count > 1 { waiting.append((r, candidates)); break }
                    if case .given(let given) = decoding {
                        precondition(given[r][sequences[r].count] == candidates[0], "jobshop policy: given schedule of rollout \(r) departs from a forced move")
                    }
                    schedulers[r].schedule(job: candidates[0])
                    sequences[r].append(candidates[0])
                }
            }
            if waiting.isEmpty { break }
            var features = [Float](repeating: 0, count: waiting.count * width)
            features.withUnsafeMutableBufferPointer { f in
                for (i, w) in waiting.enumerated() {
                    OperationFeatures.write(schedulers[w.rollout], candidates: w.candidates, to: f.baseAddress! + i * width)
                }
            }
            let scores = encode(features, tokens: waiting.count * jobs, jobs: jobs, parameters: parameters).scores
            for (i, w) in waiting.enumerated() {
                var legal = [Bool](repeating: false, count: jobs)
                for j in w.candidates { legal[j] = true }
                let row = scores[(i * jobs)..<((i + 1) * jobs)]
                let action: Int
                switch decoding {
                case .greedy:
                    var best = w.candidates[0]
                    for j in w.candidates.dropFirst() where row[row.startIndex + j] > row[row.startIndex + best] { best = j }
                    action = best
                case .sample:
                    let logZ = Self.logNormaliser(row, legal[...])
                    let u = generators[w.rollout].nextDouble()
                    var cumulative = 0.0
                    var chosen = w.candidates[w.candidates.count - 1]
                    for j in w.candidates {
                        cumulative += Foundation.exp(Double(row[row.startIndex + j]) - logZ)
                        if u < cumulative { chosen = j; break }
                    }
                    action = chosen
                case .given(let given):
                    action = given[w.rollout][sequences[w.rollout].count]
                    precondition(legal.indices.contains(action) && legal[action],
                                 "jobshop policy: given schedule of rollout \(w.rollout) picks job \(action) outside the conflict set \(w.candidates)")
                }
                decisions.count += 1
                decisions.features += features[(i * width)..<((i + 1) * width)]
                decisions.legal += legal
                decisions.actions.append(action)
                decisions.rollouts.append(w.rollout)
                schedulers[w.rollout].schedule(job: action)
                sequences[w.rollout].append(action)
            }
        }
        return Rollouts(schedules: schedulers, sequences: sequences, decisions: decisions)
    }

    /// The recorded choice points re-encoded at some parameters: what `backward` needs.
    struct Scored {
        let decisions: Decisions
        let jobs: Int
        /// `Σ_t log π(a_t)` per rollout, in Double.
        let logProbabilities: [Double]
        fileprivate let embeddings: Tensor?
        fileprivate let scores: [Float]
        fileprivate let normalisers: [Double]
    }

    /// The log-probability `Σ_t log π(a_t)` of each of `rolloutCount` rollouts at the recorded
    /// `decisions`, re-encoded in one batch of `decisions.count` sets of `jobs` tokens.
    func score(_ parameters: ParameterSet, _ decisions: Decisions, jobs: Int, rolloutCount: Int) -> Scored {
        var logProbabilities = [Double](repeating: 0, count: rolloutCount)
        guard decisions.count > 0 else {
            return Scored(decisions: decisions, jobs: jobs, logProbabilities: logProbabilities, embeddings: nil, scores: [], normalisers: [])
        }
        let (embeddings, scores) = encode(decisions.features, tokens: decisions.count * jobs, jobs: jobs, parameters: parameters)
        let normalisers = (0..<decisions.count).map { i in
            let range = (i * jobs)..<((i + 1) * jobs)
            return Self.logNormaliser(scores[range], decisions.legal[range])
        }
        for i in 0..<decisions.count {
            logProbabilities[decisions.rollouts[i]] += Double(scores[i * jobs + decisions.actions[i]]) - normalisers[i]
        }
        return Scored(decisions: decisions, jobs: jobs, logProbabilities: logProbabilities, embeddings: embeddings, scores: scores, normalisers: normalisers)
    }

    /// Writes (not accumulates) into `gradient` the exact gradient of
    /// `J = Σ_r c_r · log π(rollout r)` with the actions of `scored` held fixed:
    /// `∂J/∂u_j = c_r (δ_{j,a} − π_j)` on the legal operations of each choice point, then back
    /// through `u = H w` and the encoder. Must follow the `score` call that made `scored`,
    /// with the same parameters.
    func backward(_ scored: Scored, coefficients: [Double], parameters: ParameterSet, gradient: inout ParameterSet) {
        precondition(coefficients.count == scored.logProbabilities.count, "jobshop policy: one coefficient per rollout")
        precondition(gradient.values.count == layout.count, "jobshop policy: gradient buffer has \(gradient.values.count) values, expected \(layout.count)")
        gradient.values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        guard let embeddings = scored.embeddings else { return }
        let (decisions, jobs, d) = (scored.decisions, scored.jobs, dimension)
        let tokens = decisions.count * jobs
        var scoreGradient = [Float](repeating: 0, count: tokens)
        for i in 0..<decisions.count {
            let c = coefficients[decisions.rollouts[i]]
            for j in 0..<jobs where decisions.legal[i * jobs + j] {
                let probability = Foundation.exp(Double(scored.scores[i * jobs + j]) - scored.normalisers[i])
                scoreGradient[i * jobs + j] = Float(c * ((j == decisions.actions[i] ? 1 : 0) - probability))
            }
        }
        // u = H w: dw = duᵀ H, dH = du w.
        var embeddingGradient = Tensor(shape: [decisions.count, jobs, d])
        embeddings.withUnsafeBufferPointer { h in
            scoreGradient.withUnsafeBufferPointer { du in
                gradient.withUnsafeMutableBufferPointer(scoreWeight) { dw in
                    BLAS.gemm(.transposed, .none, m: 1, n: d, k: tokens, a: du.baseAddress!, b: h.baseAddress!, beta: 1, c: dw.baseAddress!)
                }
                parameters.withUnsafeBufferPointer(scoreWeight) { w in
                    embeddingGradient.withUnsafeMutableBufferPointer { dh in
                        BLAS.gemm(.none, .none, m: tokens, n: d, k: 1, a: du.baseAddress!, b: w.baseAddress!, c: dh.baseAddress!)
                    }
                }
            }
        }
        encoder.accumulateParameterGradients(embeddingGradient, parameters: parameters, gradient: &gradient)
    }
}
