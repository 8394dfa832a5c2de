import Foundation
import Tensor
import Testing
@testable import Workloads

@Suite struct TransformerLanguageTests {
    static func language(
        vocabulary: Int = 16, order: Int = 2, branching: Int = 3, decay: Double = 0.5, repeatProbability: Double = 0.05,
        repeatLength: Int = 6, seed: UInt64 = 1
    ) -> SyntheticLanguage {
        SyntheticLanguage(
            vocabularySize: vocabulary, order: order, branching: branching, branchDecay: decay,
            repeatProbability: repeatProbability, repeatLength: repeatLength, seed: seed)
    }

    /// Mean and standard error of `values`.
    static func meanAndStandardError(_ values: [Double]) -> (Double, Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, (variance / Double(values.count)).squareRoot())
    }

    @Test func sameSeedGivesTheSameTableAndSamplesDifferentSeedsDiffer() {
        let a = Self.language(), b = Self.language(), c = Self.language(seed: 2)
        #expect(a == b)
        #expect(a.successors != c.successors)
        var ga = RandomGenerator(seed: 7), gb = RandomGenerator(seed: 7), gc = RandomGenerator(seed: 8)
        let sa = a.sample(length: 500, using: &ga), sb = b.sample(length: 500, using: &gb)
        #expect(sa == sb)
        #expect(a.sample(length: 500, using: &gc) != sa)
    }

    @Test func successorsAreDistinctOrdinaryTokensAndBranchProbabilitiesAreGeometric() {
        let lang = Self.language(vocabulary: 12, order: 2, branching: 4, decay: 0.5)
        #expect(lang.contextCount == 121)
        for c in 0..<lang.contextCount {
            let row = lang.successors[(c * 4)..<(c * 4 + 4)].map(Int.init)
            #expect(Set(row).count == 4)
            #expect(row.allSatisfy { $0 >= 0 && $0 < lang.marker })
        }
        let expected = [8.0, 4, 2, 1].map { $0 / 15 }
        for (p, e) in zip(lang.branchProbabilities, expected) { #expect(abs(p - e) < 1e-15) }
        let h = -expected.reduce(0.0) { $0 + $1 * log($1) }
        #expect(abs(lang.markovEntropy - h) < 1e-12)
    }

    @Test func everyRepeatCopiesTheSpanBeforeItsMarker() {
        let lang = Self.language(repeatProbability: 0.2, repeatLength: 5)
        var generator = RandomGenerator(seed: 3)
        let x = lang.sample(length: 5000, using: &generator).map(Int.init)
        var markers = 0
        var t = 0
        while t < x.count {
            if x[t] == lang.marker {
                markers += 1
                #expect(t >= 5, "marker at \(t) before a full span exists")
                // The span before the marker holds no marker, and the next L tokens repeat it.
                #expect(!x[(t - 5)..<t].contains(lang.marker))
                for i in 1...5 where t + i < x.count { #expect(x[t + i] == x[t + i - 6]) }
                t += 6
            } else {
                t += 1
            }
        }
        // 5000 tokens, a free step every (1 + 0.2·5) = 2 tokens on average, ρ = 0.2: ≈ 500 markers.
        #expect(markers > 400 && markers < 600, "\(markers) markers")
    }

    @Test func trueConditionalIsANormalisedDistributionWithTheStatedStepEntropies() {
        let lang = Self.language(order: 2, repeatProbability: 0.1, repeatLength: 4)
        var generator = RandomGenerator(seed: 5)
        let x = lang.sample(length: 2000, using: &generator)
        var state = LanguageState(lang)
        var counts = [0, 0, 0, 0]  // uniform start, repeat, free before L, free after L
        for token in x {
            let d = state.distribution()
            let total = d.reduce(0.0) { $0 + $1.probability }
            #expect(abs(total - 1) < 1e-12)
            let entropy = -d.reduce(0.0) { $0 + $1.probability * log($1.probability) }
            let expected: Double
            if state.position < lang.order {
                expected = log(Double(lang.ordinaryCount)); counts[0] += 1
            } else if state.remaining > 0 {
                expected = 0; counts[1] += 1
            } else if state.position < lang.repeatLength {
                expected = lang.markovEntropy; counts[2] += 1
            } else {
                expected = lang.freeStepEntropy; counts[3] += 1
            }
            #expect(abs(entropy - expected) < 1e-12, "position \(state.position): entropy \(entropy), expected \(expected)")
            #expect(state.probability(of: Int(token)) > 0)
            state.advance(Int(token))
        }
        #expect(counts[0] == 2 && counts[2] == 2 && counts[1] > 100 && counts[3] > 1000, "\(counts)")
    }

    @Test func bayesCrossEntropyHasItsClosedFormWithoutRepeatsAndTendsToTheEntropyRate() {
        let plain = Self.language(vocabulary: 16, order: 3, repeatProbability: 0, repeatLength: 4)
        let t = 50.0
        let closedForm = (2 * log(15.0) + (t - 2) * plain.markovEntropy) / t
        #expect(abs(plain.bayesCrossEntropy(predictions: 50) - closedForm) < 1e-12)
        #expect(abs(plain.entropyRate - plain.markovEntropy) < 1e-15)

        let lang = Self.language(repeatProbability: 0.05, repeatLength: 8)
        let h = lang.freeStepEntropy / (1 + 0.05 * 8)
        #expect(abs(lang.entropyRate - h) < 1e-15)
        // The window average converges to the rate like 1/T.
        #expect(abs(lang.bayesCrossEntropy(predictions: 200_000) - h) < 1e-4)
        #expect(lang.bayesCrossEntropy(predictions: 20) > lang.bayesCrossEntropy(predictions: 2000))
    }

    /// The true model's log-loss on samples matches the exact numbers within 4 standard errors.
    @Test func trueModelLogLossMatchesTheExactWindowLimitAndEntropyRate() {
        let lang = Self.language(vocabulary: 24, order: 2, branching: 4, decay: 0.6, repeatProbability: 0.04, repeatLength: 10)
        var generator = RandomGenerator(seed: 11)
        let windows = (0..<4000).map { _ in lang.trueNegativeLogLikelihood(of: lang.sample(length: 33, using: &generator)) / 32 }
        let (mean, se) = Self.meanAndStandardError(windows)
        let exact = lang.bayesCrossEntropy(predictions: 32)
        #expect(abs(mean - exact) < 4 * se, "window log-loss \(mean) ± \(se), exact \(exact)")
        #expect(se < 0.01)

        // Long sequences: the per-token log-loss is the stationary entropy rate (start effects ~k/T).
        let long = (0..<40).map { _ in lang.trueNegativeLogLikelihood(of: lang.sample(length: 20001, using: &generator)) / 20000 }
        let (rateMean, rateSE) = Self.meanAndStandardError(long)
        #expect(abs(rateMean - lang.entropyRate) < 4 * rateSE + 1e-3, "long-run log-loss \(rateMean) ± \(rateSE), rate \(lang.entropyRate)")
        #expect(rateSE < 0.005)
    }

    @Test func unigramEntropyExceedsTheEntropyRateByAWideMargin() {
        let lang = Self.language(vocabulary: 32, order: 2, branching: 3, repeatProbability: 0.05, repeatLength: 8)
        let unigram = lang.unigramEntropy(length: 65, sequences: 400, seed: 1)
        #expect(unigram > 3.0 && unigram < log(32.0), "unigram entropy \(unigram)")
        #expect(lang.entropyRate < 1.0)
    }
}
