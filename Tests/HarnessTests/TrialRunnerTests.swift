import Core
import Foundation
import NN
import Results
import Testing
@testable import Harness

@Suite struct TrialRunnerTests {
    @Test func reachesTargetAndStopsThere() throws {
        let workload = QuadraticWorkload(target: 1e-2)
        let outcome = TrialRunner.run(
            workload: workload, submission: FixedRateSGD.self, hyperparameters: Hyperparameters(["learning_rate": 0.1]),
            seed: 1, budget: Budget(maxRuntimeSeconds: 5, stepHint: 200), schedule: .steps(period: 5))
        #expect(outcome.status == .reachedTarget)
        let last = try #require(outcome.evaluations.last)
        #expect(last.validationMetric <= 1e-2)
        // The target is met at the last evaluation and at no earlier one.
        #expect(outcome.evaluations.dropLast().allSatisfy { $0.validationMetric > 1e-2 })
        #expect(outcome.stepsToTarget == last.step)
        #expect(outcome.timeToTarget == last.submissionTime)
        #expect(outcome.oracleCallsToTarget == last.step)  // one gradient per step
        #expect(last.step % 5 == 0)
        #expect(last.examples == 8 * last.step)
    }

    @Test func calibrationRunsKeepTrainingPastTheTarget() throws {
        let outcome = TrialRunner.run(
            workload: QuadraticWorkload(target: 1e-2), submission: FixedRateSGD.self,
            hyperparameters: Hyperparameters(["learning_rate": 0.1]), seed: 1,
            budget: Budget(maxRuntimeSeconds: 5, stepHint: 200), schedule: .steps(period: 5), maximumSteps: 300,
            stopAtTarget: false)
        #expect(outcome.status == .budgetExhausted)
        #expect(outcome.steps == 300)
        let first = try #require(outcome.evaluations.first { $0.validationMetric <= 1e-2 })
        #expect(outcome.stepsToTarget == first.step)
        #expect(outcome.timeToTarget == first.submissionTime)
        #expect(try #require(outcome.evaluations.last).step == 300)
    }

    @Test func aStepBudgetReplacesTheTimeBudget() throws {
        // A time budget of a nanosecond would end the trial after its first step; the step
        // budget decides instead.
        let outcome = TrialRunner.run(
            workload: QuadraticWorkload(target: -1), submission: FixedRateSGD.self,
            hyperparameters: Hyperparameters(["learning_rate": 0.01]), seed: 1,
            budget: Budget(maxRuntimeSeconds: 1e-9, stepHint: 200), schedule: .steps(period: 10), maximumSteps: 40)
        #expect(outcome.status == .budgetExhausted)
        #expect(outcome.message == "step budget of 40 steps used up")
        #expect(outcome.steps == 40)
        #expect(outcome.evaluations.map(\.step) == [0, 10, 20, 30, 40])
    }

    @Test func slowEvaluationDoesNotCountAsSubmissionTime() throws {
        let workload = QuadraticWorkload(target: -1, maxRuntimeSeconds: 0.05, evaluationDelay: 0.05)
        let outcome = TrialRunner.run(
            workload: workload, submission: FixedRateSGD.self, hyperparameters: Hyperparameters(["learning_rate": 0.1]),
            seed: 1, budget: Budget(maxRuntimeSeconds: 0.05, stepHint: 200), schedule: .steps(period: 500))
        #expect(outcome.status == .budgetExhausted)
        let last = try #require(outcome.evaluations.last)
        // Every evaluation sleeps 50 ms; none of it may show up in submission time.
        #expect(outcome.evaluations.count >= 2)
        #expect(last.wallTime >= 0.05 * Double(outcome.evaluations.count))
        #expect(last.submissionTime < 0.05 + 0.02)
        #expect(last.wallTime - last.submissionTime >= 0.05 * Double(outcome.evaluations.count) - 1e-3)
    }

    @Test func divergenceIsAStatusNotACrash() {
        let outcome = TrialRunner.run(
            workload: QuadraticWorkload(), submission: FixedRateSGD.self, hyperparameters: Hyperparameters(["learning_rate": 50]),
            seed: 1, budget: Budget(maxRuntimeSeconds: 5, stepHint: 200), schedule: .steps(period: 1000))
        #expect(outcome.status == .diverged)
        #expect(outcome.message.contains("training loss"))
        #expect(outcome.steps < 1000)
    }

    @Test func submissionErrorsAreRecordedWithTheirMessage() {
        let outcome = TrialRunner.run(
            workload: QuadraticWorkload(), submission: FailingSubmission.self, hyperparameters: Hyperparameters(),
            seed: 1, budget: Budget(maxRuntimeSeconds: 5, stepHint: 200), schedule: .steps(period: 1))
        #expect(outcome.status == .error)
        #expect(outcome.message == "step 3: deliberate failure")
        #expect(outcome.evaluations.map(\.step) == [0, 1, 2, 3])
    }

    @Test func missingHyperparameterIsAnInitialisationError() {
        let outcome = TrialRunner.run(
            workload: QuadraticWorkload(), submission: FixedRateSGD.self, hyperparameters: Hyperparameters(),
            seed: 1, budget: Budget(maxRuntimeSeconds: 5, stepHint: 200), schedule: .steps(period: 1))
        #expect(outcome.status == .error)
        #expect(outcome.message.contains("learning_rate"))
    }

    @Test func sameSeedGivesTheSameEvaluationsBitForBit() {
        func run(_ seed: UInt64) -> [Double] {
            TrialRunner.run(
                workload: QuadraticWorkload(target: -1), submission: FixedRateSGD.self,
                hyperparameters: Hyperparameters(["learning_rate": 0.05]), seed: seed,
                budget: Budget(maxRuntimeSeconds: 5, stepHint: 200), schedule: .steps(period: 10), maximumSteps: 50
            ).evaluations.map(\.validationMetric)
        }
        let a = run(3), b = run(3), c = run(4)
        #expect(a.count == 6)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(a != c)
    }

    @Test func stepLimitEndsWithBudgetExhausted() {
        let outcome = TrialRunner.run(
            workload: QuadraticWorkload(target: -1), submission: FixedRateSGD.self,
            hyperparameters: Hyperparameters(["learning_rate": 0.05]), seed: 1,
            budget: Budget(maxRuntimeSeconds: 5, stepHint: 200), schedule: .steps(period: 7), maximumSteps: 20)
        #expect(outcome.status == .budgetExhausted)
        #expect(outcome.steps == 20)
        #expect(outcome.evaluations.map(\.step) == [0, 7, 14, 20])
        #expect(outcome.lossLog.steps.count == 20)
    }
}

@Suite struct LossLogTests {
    @Test func decimatesToEvenlySpacedSteps() {
        var log = LossLog(capacity: 8)
        for step in 1...100 { log.record(step: step, loss: Float(step)) }
        #expect(log.steps.count <= 8)
        let strides = zip(log.steps.dropFirst(), log.steps).map { $0 - $1 }
        #expect(Set(strides).count == 1)
        #expect(log.losses == log.steps.map(Float.init))
        #expect(log.steps.last! >= 100 - strides[0])
    }
}
