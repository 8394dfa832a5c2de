import Core
import Results
import Testing
@testable import Harness

/// `--rules algoperf-0.6` against AlgoPerf's own scoring code on a hand-built case that
/// exercises each rule where it differs from this project's: best trial by evaluation
/// index (a, criteo1tb, study 0: index 0 at 40 s beats index 2 at 30 s), a study without
/// trials (a, criteo1tb, study 2: dropped there, ∞ here), the 4 × best cut before
/// dividing (c, criteo1tb: 230 > 4 × 55), a held-out variant (ignored there, gating here)
/// and ρ over AlgoPerf's fixed 8 workloads with its 100-point trapezoid.
///
/// Expected numbers: AlgoPerf's `performance_profile.compute_performance_profiles(...,
/// time_col='score', min_tau=1, max_tau=4, num_points=100)` and
/// `score_submissions.compute_leaderboard_score` (mlcommons/algorithmic-efficiency at
/// 2c90454) on the same trials (without the variant), run by
/// `/work/algoperf-venv/bin/python hand_built.py` (pandas 2, numpy 1.26): time_to_targets
/// a 55, 100; b 100, 350; c 230, inf; scores a 0.25, b 0.11237373737373736, c 0.0. The
/// script (kept in tools/algoperf/, see its README) stubs jax/torch and reads targets from
/// AlgoPerf's workload files, and restricts BASE_WORKLOADS to the two workloads present,
/// since AlgoPerf's code raises KeyError for a base workload absent from every submission.
@Suite struct AlgoPerfRulesTests {
    typealias F = ScoringFixtures
    static let criteo = F.workload("criteo1tb", target: 0.123735)
    static let ogbg = F.workload("ogbg", target: 0.28098, direction: .maximize)
    static let variant = F.workload("criteo1tb_layernorm", variantOf: "criteo1tb", target: 0.123735)
    static let (hit, miss) = (0.12, 0.2)
    static let (ogbgHit, ogbgMiss) = (0.3, 0.2)

    static var trials: [TrialRecord] {
        var trials = [
            F.trial("a", criteo, study: 0, trial: 0, evals: [(10, miss), (20, miss), (30, hit)]),
            F.trial("a", criteo, study: 0, trial: 1, evals: [(40, hit)]),
            F.trial("a", criteo, study: 1, trial: 0, evals: [(70, hit)]),
            F.trial("a", criteo, study: 1, trial: 1, evals: [(5, miss), (60, hit)]),
        ]
        for study in 0..<3 {
            trials += [
                F.trial("a", ogbg, study: study, evals: [(100, ogbgHit)]),
                F.trial("b", criteo, study: study, evals: [(100, hit)]),
                F.trial("b", ogbg, study: study, evals: [(350, ogbgHit)]),
                F.trial("c", criteo, study: study, evals: [(230, hit)]),
                F.trial("c", ogbg, study: study, evals: [(400, ogbgMiss)]),
                F.trial("c", variant, study: study, evals: [(400, miss)]),
            ]
        }
        return trials
    }

    @Test func matchesAlgoPerfsScoringCode() {
        let board = Scoreboard(trials: Self.trials, ruleset: "external", measure: .time, bootstrapSamples: 0, rules: .algoPerf06(workloadCount: 8))
        #expect(board.submissions == ["a", "b", "c"] && board.workloads == ["criteo1tb", "ogbg"])
        #expect(board.values == [[55, 100], [100, 350], [230, .infinity]])
        #expect(board.gatedValues == board.values)  // the variant gates nothing
        #expect(board.profile.ratios[2] == [.infinity, .infinity])  // 230 > 4 × 55: cut before dividing
        #expect(board.scores[0] == 0.25)
        #expect(abs(board.scores[1] - 0.11237373737373736) < 1e-15)
        #expect(board.scores[2] == 0)
    }

    @Test func thisProjectsRulesDifferOnTheSameTrials() {
        let board = Scoreboard(trials: Self.trials, ruleset: "external", measure: .time, bootstrapSamples: 0)
        // Fastest trial per study (30, 60), the missing study as ∞: median 60. The variant
        // gates criteo1tb for everyone: c missed it, a and b never ran it.
        #expect(board.values == [[60, 100], [100, 350], [230, .infinity]])
        #expect(board.gatedValues.map { $0[0] } == [.infinity, .infinity, .infinity])
        #expect(board.scores[0] == 0.5)  // ogbg only, exact area over the 2 workloads with trials
        #expect(abs(board.scores[1] - (4 - 3.5) / 2 / 3) < 1e-15)
    }

    @Test func missingStudiesAreDroppedAndAWorkloadWithoutTrialsIsAbsent() {
        let trials = [
            F.trial("a", Self.criteo, study: 0, evals: [(10, Self.hit)]), F.trial("a", Self.criteo, study: 1, evals: [(30, Self.hit)]),
            F.trial("b", Self.criteo, study: 2, evals: [(40, Self.hit)]), F.trial("b", Self.ogbg, study: 0, evals: [(5, Self.ogbgHit)]),
        ]
        let board = Scoreboard(trials: trials, ruleset: "external", measure: .time, bootstrapSamples: 0, rules: .algoPerf06(workloadCount: 8))
        #expect(board.values[0][0] == 20)  // median of the two studies a has
        #expect(board.values[0][1].isNaN)  // a has no ogbg trial: absent, a miss in ρ
        #expect(board.profile.ratios[0] == [1, .infinity] && board.profile.ratios[1] == [2, 1])
        #expect(board.formattedTable().contains("absent"))
    }

    @Test func tiesOnTheEvaluationIndexGoToTheFirstTrial() {
        let trials = [
            F.trial("a", Self.criteo, trial: 0, evals: [(1, Self.miss), (9, Self.hit)]),
            F.trial("a", Self.criteo, trial: 1, evals: [(1, Self.miss), (7, Self.hit)]),
        ]
        let algoPerf = Scoreboard(trials: trials, ruleset: "external", measure: .time, bootstrapSamples: 0, rules: .algoPerf06(workloadCount: 1))
        let own = Scoreboard(trials: trials, ruleset: "external", measure: .time, bootstrapSamples: 0)
        #expect(algoPerf.values == [[9]] && own.values == [[7]])
        #expect(algoPerf.scores == [1] && algoPerf.profile.denominator == 1)
    }

    @Test func rulesAreParsedFromTheirNames() throws {
        #expect(try ScoringRules.named("optbench", workloadCount: nil) == .optbench)
        #expect(try ScoringRules.named("algoperf-0.6", workloadCount: nil) == .algoPerf06(workloadCount: 8))
        #expect(try ScoringRules.named("algoperf-0.6", workloadCount: 3) == .algoPerf06(workloadCount: 3))
        #expect(throws: InputError.self) { try ScoringRules.named("algoperf-0.5", workloadCount: nil) }
        #expect(throws: InputError.self) { try ScoringRules.named("optbench", workloadCount: 8) }
        #expect(throws: InputError.self) { try ScoringRules.named("algoperf-0.6", workloadCount: 0) }
    }
}
