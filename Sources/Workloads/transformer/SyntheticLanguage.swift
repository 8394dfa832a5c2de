import Foundation
import Tensor

/// The seeded synthetic language of the `transformer` workload: a sparse order-`k` Markov
/// source interleaved with verbatim repeats, whose per-token entropy rate is known exactly.
///
/// The vocabulary has `vocabularySize` tokens: the ordinary tokens `0 ..< V−1` and one
/// repeat marker `V−1`. A sequence `x₀ x₁ …` is generated as follows, with `k` the Markov
/// order, `L` the repeat length, `ρ` the repeat probability and `q` the branch
/// probabilities (`q_i ∝ decay^i`, `i < branching`):
///
/// - `x₀ … x_{k−1}`: independent and uniform over the ordinary tokens.
/// - At `t ≥ k`, while a repeat is running (`r > 0` tokens of it left): `x_t = x_{t−L−1}`
///   (the span of `L` tokens just before the marker is repeated verbatim), `r ← r − 1`.
/// - Otherwise (a *free* step), if `t ≥ L` (the span exists): with probability `ρ`,
///   `x_t` is the marker and a repeat of `L` tokens starts; else `x_t` is drawn from the
///   Markov table. When `t < L` the marker cannot occur and `x_t` is always a Markov draw.
/// - A Markov draw: the context is the last `k` ordinary tokens (markers are skipped; a
///   repeated span never contains a marker, because a repeat can only start `L + 1` steps
///   after the previous marker); each of the `(V−1)^k` contexts has `branching` distinct
///   successors, drawn once from the seed, which receive the probabilities `q` in order.
///
/// Every event (marker, repeat position, Markov context) is a function of the visible
/// prefix, so the true next-token distribution given `x_{<t}` is the generative one
/// (`LanguageState.distribution`) and its entropy depends only on the step type:
/// `log(V−1)` for `t < k`, `0` inside a repeat, `H(q)` at a free step with `t < L`, and
/// `h(ρ) + (1−ρ)·H(q)` at a free step with `t ≥ L` (`h` the binary entropy). The stationary
/// entropy rate is therefore `(h(ρ) + (1−ρ)·H(q)) / (1 + ρL)` nats per token (renewal
/// reward: each free step brings on average `ρL` repeat steps), and the expected
/// cross-entropy of the true model on a window of `T` predictions from a sequence start
/// (`bayesCrossEntropy(predictions:)`) follows from a small exact recursion over the
/// repeat state.
public struct SyntheticLanguage: Sendable, Equatable {
    public let vocabularySize: Int
    public let order: Int
    public let branching: Int
    /// `q`: the probabilities of a context's successors, in successor order; sums to one.
    public let branchProbabilities: [Double]
    public let repeatProbability: Double
    public let repeatLength: Int
    /// `contexts × branching` successor tokens.
    let successors: [Int32]

    /// The repeat marker, the last token of the vocabulary.
    public var marker: Int { vocabularySize - 1 }
    /// Number of ordinary (non-marker) tokens.
    public var ordinaryCount: Int { vocabularySize - 1 }
    /// Number of Markov contexts, `(V−1)^k`.
    public var contextCount: Int { successors.count / branching }

    /// Builds the successor table from `seed`.
    ///
    /// - Parameters:
    ///   - vocabularySize: `V` including the marker; at least `branching + 1`.
    ///   - order: Markov order `k ≥ 1`; `(V−1)^k` must stay below 2²².
    ///   - branching: successors per context, `1 ... V−1`.
    ///   - branchDecay: `q_i ∝ decay^i`, in `(0, 1]` (1: uniform over the successors).
    ///   - repeatProbability: `ρ ∈ [0, 1)`.
    ///   - repeatLength: `L ≥ 1`.
    public init(
        vocabularySize: Int, order: Int, branching: Int, branchDecay: Double, repeatProbability: Double,
        repeatLength: Int, seed: UInt64
    ) {
        precondition(order >= 1, "SyntheticLanguage: order must be ≥ 1, got \(order)")
        precondition(branching >= 1 && vocabularySize >= branching + 1,
                     "SyntheticLanguage: need 1 ≤ branching ≤ vocabulary − 1, got branching \(branching), vocabulary \(vocabularySize)")
        precondition(branchDecay > 0 && branchDecay <= 1, "SyntheticLanguage: branch decay must be in (0, 1], got \(branchDecay)")
        precondition(repeatProbability >= 0 && repeatProbability < 1, "SyntheticLanguage: repeat probability must be in [0, 1), got \(repeatProbability)")
        precondition(repeatLength >= 1, "SyntheticLanguage: repeat length must be ≥ 1, got \(repeatLength)")
        let ordinary = vocabularySize - 1
        let contexts = Self.contextCount(ordinary: ordinary, order: order)
        precondition(contexts <= 1 << 22, "SyntheticLanguage: (vocabulary − 1)^order = \(ordinary)^\(order) contexts is too many (limit 2²²)")
        self.vocabularySize = vocabularySize
        self.order = order
        self.branching = branching
        let weights = (0..<branching).map { pow(branchDecay, Double($0)) }
        let total = weights.reduce(0, +)
        branchProbabilities = weights.map { $0 / total }
        self.repeatProbability = repeatProbability
        self.repeatLength = repeatLength
        var generator = RandomGenerator(seed: seed)
        var table = [Int32](repeating: 0, count: contexts * branching)
        var pool = Array(0..<Int32(ordinary))
        for c in 0..<contexts {
            // Partial Fisher–Yates: the first `branching` entries are a uniform draw without replacement.
            for i in 0..<branching {
                let j = i + generator.nextInt(below: ordinary - i)
                pool.swapAt(i, j)
                table[c * branching + i] = pool[i]
            }
        }
        successors = table
    }

    /// `(V−1)^k`, or `Int.max` when it overflows.
    static func contextCount(ordinary: Int, order: Int) -> Int {
        var count = 1
        for _ in 0..<order {
            let (product, overflow) = count.multipliedReportingOverflow(by: ordinary)
            if overflow { return Int.max }
            count = product
        }
        return count
    }

    // MARK: Entropies

    /// `H(q)`, nats: the entropy of one Markov draw.
    public var markovEntropy: Double {
        -branchProbabilities.reduce(0.0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
    }

    /// Entropy of a free step where the marker may occur: `h(ρ) + (1−ρ)·H(q)`.
    public var freeStepEntropy: Double {
        let rho = repeatProbability
        let binary = rho > 0 ? -(rho * log(rho) + (1 - rho) * log(1 - rho)) : 0
        return binary + (1 - rho) * markovEntropy
    }

    /// The stationary entropy rate, nats per token: `(h(ρ) + (1−ρ)·H(q)) / (1 + ρL)`.
    public var entropyRate: Double {
        freeStepEntropy / (1 + repeatProbability * Double(repeatLength))
    }

    /// The expected mean cross-entropy (nats per token) of the true conditional model when
    /// it predicts `x_1 … x_T` of a sequence from its start: the floor of the workload's
    /// validation metric. Exact: `(1/T) Σ_t P(step t is free) · H_t` with the repeat-state
    /// distribution propagated step by step.
    public func bayesCrossEntropy(predictions: Int) -> Double {
        precondition(predictions >= 1, "SyntheticLanguage.bayesCrossEntropy: needs at least one prediction, got \(predictions)")
        let L = repeatLength
        // remaining[r] = P(r repeat tokens are still to come before step t).
        var remaining = [Double](repeating: 0, count: L + 1)
        remaining[0] = 1
        var total = 0.0
        for t in 1...predictions {
            if t < order {
                total += log(Double(ordinaryCount))
                continue
            }
            let free = remaining[0]
            let eligible = t >= L
            total += free * (eligible ? freeStepEntropy : markovEntropy)
            var next = [Double](repeating: 0, count: L + 1)
            for r in 1...L { next[r - 1] += remaining[r] }
            if eligible {
                next[L] += free * repeatProbability
                next[0] += free * (1 - repeatProbability)
            } else {
                next[0] += free
            }
            remaining = next
        }
        return total / Double(predictions)
    }

    /// The entropy of the unigram (marginal) token distribution of windows of `length`
    /// tokens, estimated from `sequences` seeded samples: what a model that ignores the
    /// context reaches at best (a reference, not exact).
    public func unigramEntropy(length: Int, sequences: Int, seed: UInt64) -> Double {
        var counts = [Double](repeating: 0, count: vocabularySize)
        var generator = RandomGenerator(seed: seed)
        for _ in 0..<sequences {
            for token in sample(length: length, using: &generator).dropFirst() { counts[Int(token)] += 1 }
        }
        let total = counts.reduce(0, +)
        return -counts.reduce(0.0) { $0 + ($1 > 0 ? ($1 / total) * log($1 / total) : 0) }
    }

    // MARK: Sampling and the true conditional model

    /// One sequence of `length` tokens from the start state.
    public func sample(length: Int, using generator: inout RandomGenerator) -> [Int32] {
        var state = LanguageState(self)
        var tokens = [Int32]()
        tokens.reserveCapacity(length)
        for _ in 0..<length {
            let token = state.draw(using: &generator)
            tokens.append(Int32(token))
            state.advance(token)
        }
        return tokens
    }

    /// `−log p(x_t | x_{<t})` under the true model, summed over `t = 1 ..< sequence.count`
    /// (position 0 is never predicted), in nats.
    public func trueNegativeLogLikelihood(of sequence: [Int32]) -> Double {
        var state = LanguageState(self)
        var total = 0.0
        for (t, token) in sequence.enumerated() {
            if t > 0 {
                let p = state.probability(of: Int(token))
                precondition(p > 0, "SyntheticLanguage: token \(token) at position \(t) has probability 0 under the true model")
                total -= log(p)
            }
            state.advance(Int(token))
        }
        return total
    }
}

/// The visible state of the synthetic language after a prefix: position, running repeat
/// and Markov context. It is the true conditional model: `distribution()` is
/// `p(x_t | x_{<t})` exactly.
public struct LanguageState: Sendable {
    public let language: SyntheticLanguage
    /// Tokens seen so far (needed for repeats).
    private(set) var history: [Int32] = []
    /// Repeat tokens still to come.
    private(set) var remaining = 0
    /// Base-(V−1) index of the last `k` ordinary tokens.
    private var context = 0
    /// Ordinary tokens seen (the context is complete once this reaches `k`).
    private var ordinarySeen = 0

    public init(_ language: SyntheticLanguage) { self.language = language }

    /// Position of the next token.
    public var position: Int { history.count }

    /// The true distribution of the next token as (token, probability) pairs with positive
    /// probability.
    public func distribution() -> [(token: Int, probability: Double)] {
        let lang = language
        let t = position
        if t < lang.order {
            let p = 1 / Double(lang.ordinaryCount)
            return (0..<lang.ordinaryCount).map { ($0, p) }
        }
        if remaining > 0 {
            return [(Int(history[t - lang.repeatLength - 1]), 1)]
        }
        let markerAllowed = t >= lang.repeatLength && lang.repeatProbability > 0
        let keep = markerAllowed ? 1 - lang.repeatProbability : 1
        var result: [(token: Int, probability: Double)] = []
        let base = context * lang.branching
        for i in 0..<lang.branching {
            result.append((Int(lang.successors[base + i]), keep * lang.branchProbabilities[i]))
        }
        if markerAllowed { result.append((lang.marker, lang.repeatProbability)) }
        return result
    }

    /// `p(x_t = token | x_{<t})`.
    public func probability(of token: Int) -> Double {
        distribution().reduce(0.0) { $0 + ($1.token == token ? $1.probability : 0) }
    }

    /// A draw from `distribution()` by inversion of one uniform number (no allocation:
    /// sampling runs over whole data sets).
    public func draw(using generator: inout RandomGenerator) -> Int {
        let lang = language
        let t = position
        if t < lang.order { return generator.nextInt(below: lang.ordinaryCount) }
        if remaining > 0 { return Int(history[t - lang.repeatLength - 1]) }
        var u = generator.nextDouble()
        if t >= lang.repeatLength && lang.repeatProbability > 0 {
            if u < lang.repeatProbability { return lang.marker }
            u = (u - lang.repeatProbability) / (1 - lang.repeatProbability)
        }
        let base = context * lang.branching
        var cumulative = 0.0
        for i in 0..<lang.branching {
            cumulative += lang.branchProbabilities[i]
            if u < cumulative { return Int(lang.successors[base + i]) }
        }
        return Int(lang.successors[base + lang.branching - 1])
    }

    /// Appends `token` and updates the repeat state and Markov context.
    public mutating func advance(_ token: Int) {
        let lang = language
        precondition(token >= 0 && token < lang.vocabularySize, "LanguageState.advance: token \(token) outside 0..<\(lang.vocabularySize)")
        let t = position
        if t >= lang.order {
            if remaining > 0 {
                remaining -= 1
            } else if token == lang.marker {
                remaining = lang.repeatLength
            }
        }
        history.append(Int32(token))
        if token != lang.marker {
            context = (context * lang.ordinaryCount + token) % lang.contextCount
            ordinarySeen += 1
        }
    }
}
