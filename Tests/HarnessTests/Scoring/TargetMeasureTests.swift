import Testing
@testable import Harness

@Suite struct TargetMeasureTests {
    let loss = ScoringFixtures.workload("w", target: 1)

    @Test func firstMeetingEvaluationGivesEachMeasure() {
        let trial = ScoringFixtures.trial("s", loss, evals: [(1, 3), (2, 0.9), (3, 0.5)])
        #expect(TargetMeasure.time.toTarget(of: trial) == 2)
        #expect(TargetMeasure.steps.toTarget(of: trial) == 20)
        #expect(TargetMeasure.oracleCalls.toTarget(of: trial) == 60)
    }

    @Test func earliestByTimeNotByRowOrder() {
        // Rows out of time order: the row at t = 1.5 is listed last but is the earliest hit.
        let trial = ScoringFixtures.trial("s", loss, evals: [(1, 3), (4, 0.5), (1.5, 0.8)])
        #expect(TargetMeasure.time.toTarget(of: trial) == 1.5)
    }

    @Test func targetIsInclusiveAndNaNNeverMeets() {
        #expect(TargetMeasure.time.toTarget(of: ScoringFixtures.trial("s", loss, evals: [(1, .nan), (2, 1.0)])) == 2)
        #expect(TargetMeasure.time.toTarget(of: ScoringFixtures.trial("s", loss, evals: [(1, .nan)])) == .infinity)
        #expect(TargetMeasure.time.toTarget(of: ScoringFixtures.trial("s", loss, evals: [])) == .infinity)
    }

    @Test func maximisedMetricsMeetFromAbove() {
        let accuracy = ScoringFixtures.workload("acc", target: 0.9, direction: .maximize)
        let trial = ScoringFixtures.trial("s", accuracy, evals: [(1, 0.5), (2, 0.89), (3, 0.9), (4, 0.95)])
        #expect(TargetMeasure.time.toTarget(of: trial) == 3)
    }
}
