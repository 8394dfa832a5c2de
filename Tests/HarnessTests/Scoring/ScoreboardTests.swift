import Results
import Testing
@testable import Harness

@Suite struct ScoreboardTests {
    typealias F = ScoringFixtures
    let base = F.workload("base")
    let other = F.workload("other")
    let variant = F.workload("base_variant", variantOf: "base")

    @Test func fastestTrialPerStudyThenMedianOverStudies() {
        let trials = [
            // Study 0: trials at 4 and 2 → 2. Study 1: 6 and missed → 6. Study 2: missed → ∞. Median → 6.
            F.reaching("a", base, at: 4, study: 0, trial: 0), F.reaching("a", base, at: 2, study: 0, trial: 1),
            F.reaching("a", base, at: 6, study: 1, trial: 0), F.reaching("a", base, at: nil, study: 1, trial: 1),
            F.reaching("a", base, at: nil, study: 2, trial: 0),
            F.reaching("b", base, at: 3, study: 0), F.reaching("b", base, at: 3, study: 1), F.reaching("b", base, at: 3, study: 2),
        ]
        let board = Scoreboard(trials: trials, ruleset: "external", measure: .time, bootstrapSamples: 200)
        #expect(board.submissions == ["a", "b"] && board.workloads == ["base"] && board.studies == [0, 1, 2])
        #expect(board.values == [[6], [3]])
        #expect(board.profile.ratios == [[2], [1]])
        #expect(abs(board.scores[0] - 2.0 / 3) < 1e-12 && board.scores[1] == 1)
        // Bootstrap intervals bracket the point score and are reproducible.
        #expect(board.intervals[0].low <= board.scores[0] && board.scores[0] <= board.intervals[0].high)
        let again = Scoreboard(trials: trials, ruleset: "external", measure: .time, bootstrapSamples: 200)
        #expect(again.intervals.map(\.low) == board.intervals.map(\.low))
        #expect(board.intervals[0].low < board.intervals[0].high)
    }

    @Test func heldOutVariantGatesTheBase() {
        let trials = [
            F.reaching("a", base, at: 1), F.reaching("b", base, at: 2),
            F.reaching("a", other, at: 1), F.reaching("b", other, at: 1),
            // On the variant a misses entirely; b reaches it.
            F.reaching("a", variant, at: nil), F.reaching("b", variant, at: 5),
        ]
        let board = Scoreboard(trials: trials, ruleset: "external", measure: .time)
        #expect(board.workloads == ["base", "other"])
        #expect(board.variants == ["base": ["base_variant"]])
        #expect(board.values[0] == [1, 1])
        #expect(board.gatedValues[0] == [.infinity, 1])
        #expect(board.profile.ratios == [[.infinity, 1], [1, 1]])
        #expect(board.formattedTable().contains("∞ (gated)"))
    }

    @Test func variantBeyondFourTimesTheBestAlsoGates() {
        let trials = [
            F.reaching("a", base, at: 1), F.reaching("b", base, at: 1),
            F.reaching("a", variant, at: 1), F.reaching("b", variant, at: 4.5),
        ]
        let board = Scoreboard(trials: trials, ruleset: "external", measure: .time)
        #expect(board.gatedValues == [[1], [.infinity]])
    }

    @Test func stepsAndOracleCallsAreScoredLikeTime() {
        let trials = [F.reaching("a", base, at: 1), F.reaching("b", base, at: 2)]
        // reaching(at:) meets the target at its second evaluation: step 20, 60 calls, for both.
        let steps = Scoreboard(trials: trials, ruleset: "external", measure: .steps)
        #expect(steps.values == [[20], [20]] && steps.scores == [1, 1])
        let calls = Scoreboard(trials: trials, ruleset: "external", measure: .oracleCalls)
        #expect(calls.values == [[60], [60]])
    }

    @Test func onlyTheRequestedRulesetIsScored() {
        var selfTuned = F.reaching("a", base, at: 1)
        selfTuned.key.ruleset = "self"
        let board = Scoreboard(trials: [selfTuned, F.reaching("b", base, at: 2)], ruleset: "self", measure: .time)
        #expect(board.submissions == ["a"])
        #expect(board.intervals[0].low == board.scores[0])
    }

    @Test func everySubmissionMissingAWorkloadScoresZeroThere() {
        let trials = [F.reaching("a", base, at: nil), F.reaching("b", base, at: nil), F.reaching("a", other, at: 1), F.reaching("b", other, at: 2)]
        let board = Scoreboard(trials: trials, ruleset: "external", measure: .time)
        #expect(abs(board.scores[0] - 0.5) < 1e-12)
        #expect(abs(board.scores[1] - (4 - 2) / 3.0 / 2) < 1e-12)
    }

    /// The band figures' quantiles and the bootstrap intervals share this percentile.
    @Test func quantilesInterpolateLikeNumpy() {
        #expect(Scoreboard.percentile([1, 2, 3, 4, 5], 0.5) == 3)
        #expect(abs(Scoreboard.percentile([1, 2, 3, 4, 5], 0.2) - 1.8) < 1e-12)
        #expect(abs(Scoreboard.percentile([1, 2, 3, 4, 5], 0.8) - 4.2) < 1e-12)
        #expect(Scoreboard.percentile([7], 0.2) == 7)
    }
}
