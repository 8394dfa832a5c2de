import Core
import Results
import Testing
@testable import Harness

@Suite struct TrialTimingTests {
    @Test func theUncertaintyIsTheGapToTheLatestRowBeforeTheHit() {
        let w = ScoringFixtures.workload("w", target: 1)
        // Rows in time order as a refined trial stores them: periodic at 0, 10, 20; snapshots
        // at 12 and 14 (missed) and 16 (met); the periodic row at 20 met the target too.
        var trial = ScoringFixtures.trial("a", w, evals: [(0, 9), (10, 3), (12, 2), (14, 1.5), (16, 0.9), (20, 0.8)])
        trial.evaluations[5].wallTime = 25
        trial.evaluations[2].wallTime = 31  // snapshots are evaluated after the periodic row that follows them
        let timing = TrialTiming(of: trial)
        #expect(timing.timeToTarget == 16)
        #expect(timing.uncertainty == 2)
        #expect(timing.relativeUncertainty == 0.125)
        #expect(timing.wallTime == 31)
        #expect(timing.submissionTime == 20)
        #expect(timing.offClock == 11)
    }

    @Test func aHitOnTheFirstRowIsUncertainByItsWholeTime() {
        let w = ScoringFixtures.workload("w", target: 1)
        let timing = TrialTiming(of: ScoringFixtures.trial("a", w, evals: [(4, 0.5), (8, 0.4)]))
        #expect(timing.timeToTarget == 4)
        #expect(timing.uncertainty == 4)
        #expect(timing.relativeUncertainty == 1)
    }

    @Test func aMissedTargetHasNoTimeAndNoUncertainty() {
        let w = ScoringFixtures.workload("w", target: 1, direction: .maximize)
        let timing = TrialTiming(of: ScoringFixtures.trial("a", w, evals: [(0, 0.2), (5, 0.7)]))
        #expect(timing.timeToTarget == nil && timing.uncertainty == nil && timing.relativeUncertainty == nil)
        #expect(timing.wallTime == 5 && timing.offClock == 0)
        let empty = TrialTiming(of: ScoringFixtures.trial("b", w, evals: []))
        #expect(empty.wallTime == 0 && empty.submissionTime == 0 && empty.offClock == 0)
    }
}
