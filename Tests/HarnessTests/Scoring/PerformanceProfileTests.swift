import Testing
@testable import Harness

@Suite struct PerformanceProfileTests {
    @Test func ratiosScoresAndRhoOnAHandBuiltTable() {
        // Workload 1: a = 10, b = 20 (ratio 2), c = 50 (ratio 5 > 4 → ∞).
        // Workload 2: a = 30 (ratio 3), b = 10, c missed.
        let profile = PerformanceProfile(
            submissions: ["a", "b", "c"], workloads: ["w1", "w2"],
            values: [[10, 30], [20, 10], [50, .infinity]])
        #expect(profile.ratios == [[1, 3], [2, 1], [.infinity, .infinity]])
        // score = Σ_w (4 − r) / |W| / 3.
        #expect(abs(profile.score(submission: 0) - (3 + 1) / 2.0 / 3) < 1e-12)
        #expect(abs(profile.score(submission: 1) - (2 + 3) / 2.0 / 3) < 1e-12)
        #expect(profile.score(submission: 2) == 0)
        #expect(profile.rho(submission: 0, tau: 1) == 0.5)
        #expect(profile.rho(submission: 0, tau: 2.999) == 0.5)
        #expect(profile.rho(submission: 0, tau: 3) == 1)
    }

    @Test func exactAreaMatchesANumericalIntegralOfRho() {
        let profile = PerformanceProfile(submissions: ["a", "b"], workloads: ["x", "y", "z"], values: [[1, 2.5, 7], [2, 1, 1]])
        for s in 0..<2 {
            let curve = profile.curve(submission: s, points: 300_001)
            let step = 3.0 / 300_000
            let riemann = curve.dropLast().reduce(0.0) { $0 + $1.rho * step } / 3
            #expect(abs(riemann - profile.score(submission: s)) < 1e-4)
        }
    }

    @Test func tiesShareTheBestRatio() {
        let profile = PerformanceProfile(submissions: ["a", "b"], workloads: ["w"], values: [[5], [5]])
        #expect(profile.ratios == [[1], [1]])
        #expect(profile.scores == [1, 1])
    }

    @Test func aWorkloadEveryoneMissedCreditsNobodyButStaysInTheDenominator() {
        let profile = PerformanceProfile(submissions: ["a", "b"], workloads: ["easy", "impossible"], values: [[1, .infinity], [2, .nan]])
        #expect(profile.ratios[0][1] == .infinity && profile.ratios[1][1] == .infinity)
        #expect(abs(profile.score(submission: 0) - 0.5) < 1e-12)
        #expect(abs(profile.score(submission: 1) - (4 - 2) / 3.0 / 2) < 1e-12)
    }

    @Test func ratioExactlyAtTheMaximumCounts() {
        let profile = PerformanceProfile(submissions: ["a", "b"], workloads: ["w"], values: [[1], [4]])
        #expect(profile.ratios[1][0] == 4)
        #expect(profile.rho(submission: 1, tau: 4) == 1)
        #expect(profile.score(submission: 1) == 0)
    }
}
