import Core
import Results
import Testing
@testable import Harness

@Suite struct CalibrationProcedureTests {
    typealias F = ScoringFixtures

    /// A rerun whose evaluations are (time, validation, test) triples at steps 10, 20, ...;
    /// wall time runs 0.1 s per evaluation ahead of submission time.
    static func rerun(_ rows: [(Double, Double, Double)], study: Int, direction: MetricDirection = .minimize) -> TrialRecord {
        var trial = F.trial("adamw", F.workload("w", direction: direction), study: study, evals: rows.map { ($0.0, $0.1) })
        for i in trial.evaluations.indices {
            trial.evaluations[i].testMetric = rows[i].2
            trial.evaluations[i].wallTime = rows[i].0 + 0.1 * Double(i + 1)
        }
        return trial
    }

    @Test func targetsAndBudgetFollowThePublishedRules() throws {
        let reruns = [
            Self.rerun([(1, 0.9, 0.95), (2, 0.5, 0.55), (3, 0.4, 0.45)], study: 0),  // best 0.4
            Self.rerun([(1, 0.8, 0.85), (2, 0.6, 0.66), (4, 0.5, 0.52)], study: 1),  // best 0.5
            Self.rerun([(1, 0.7, 0.75), (3, 0.45, 0.47), (4, 0.44, 0.40)], study: 2),  // best 0.44
        ]
        let numbers = try #require(CalibrationProcedure.numbers(fromReruns: reruns))
        #expect(numbers.validationTarget == 0.44)  // median of 0.4, 0.5, 0.44
        // Reruns 0 and 2 reach 0.44 (at t = 3 with test 0.45, and at t = 4 with test 0.40); rerun 1 does not.
        #expect(numbers.reached == 2 && numbers.reruns == 3)
        #expect(numbers.testTarget == 0.45)  // the worse of 0.45 and 0.40 for a minimised metric
        // max_runtime = 4/3 × median(3, ∞, 4) = 4/3 × 4.
        #expect(abs(numbers.maxRuntimeSeconds - 16.0 / 3) < 1e-12)
        // step rates: 30/3, 30/4, 30/4 → median 7.5 steps/s.
        #expect(numbers.stepHint == Int((7.5 * 16 / 3).rounded()))
        // Evaluation cost 0.1 s → period 0.1/0.15, within [T/100, T/5].
        #expect(abs(numbers.evalPeriodSeconds - 0.1 / 0.15) < 1e-9)
    }

    /// Two reruns, best 0.4 and 0.6: the target is their mean, 0.5, which only the first
    /// reaches, so the median time is infinite and there is no budget to give.
    @Test func noBudgetWhenTheMedianRerunMissesTheTarget() {
        let reruns = [
            Self.rerun([(1, 0.9, 0.95), (2, 0.4, 0.45)], study: 0),
            Self.rerun([(1, 0.8, 0.85), (2, 0.6, 0.66)], study: 1),
        ]
        #expect(CalibrationProcedure.numbers(fromReruns: reruns) == nil)
    }

    @Test func maximisedMetricsTakeTheWorstTestFromBelow() throws {
        let reruns = [
            Self.rerun([(1, 0.7, 0.72), (2, 0.9, 0.88)], study: 0, direction: .maximize),
            Self.rerun([(1, 0.8, 0.81), (2, 0.85, 0.80)], study: 1, direction: .maximize),
            Self.rerun([(1, 0.86, 0.84), (2, 0.87, 0.9)], study: 2, direction: .maximize),
        ]
        let numbers = try #require(CalibrationProcedure.numbers(fromReruns: reruns))
        #expect(numbers.validationTarget == 0.87)
        #expect(numbers.reached == 2)
        #expect(numbers.testTarget == 0.88)
    }

    @Test func bestTuningTrialIsTheBestBestMetric() {
        let trials = [
            Self.rerun([(1, 0.9, 0), (2, 0.3, 0), (3, 0.6, 0)], study: 0),
            Self.rerun([(1, 0.35, 0)], study: 1),
            Self.rerun([(1, .nan, 0)], study: 2),
        ]
        #expect(CalibrationProcedure.bestTrial(trials)?.key.study == 0)
        #expect(CalibrationProcedure.bestTrial([trials[2]]) == nil)
        #expect(CalibrationProcedure.numbers(fromReruns: [trials[2]]) == nil)
    }
}
