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

/// Time to target refined on snapshots (`TrialRunner`'s `snapshots` grid).
@Suite struct SnapshotRefinementTests {
    static let sgd = Hyperparameters(["learning_rate": 0.02])
    static let budget = Budget(maxRuntimeSeconds: 5, stepHint: 200)

    /// The same trial evaluated at every step: the exact first step meeting the target.
    static func everyStep(target: Double, stopAtTarget: Bool = true) -> TrialOutcome {
        TrialRunner.run(
            workload: QuadraticWorkload(target: target), submission: FixedRateSGD.self, hyperparameters: sgd, seed: 1,
            budget: budget, schedule: .steps(period: 1), maximumSteps: 300, stopAtTarget: stopAtTarget)
    }

    @Test func snapshotsOnEveryStepFindTheStepEveryStepEvaluationFinds() throws {
        let target = 0.5
        let dense = Self.everyStep(target: target, stopAtTarget: false)
        let exact = try #require(dense.stepsToTarget)
        #expect(exact % 25 != 0, "the test needs a target met between two periodic evaluations, met at step \(exact)")
        let refined = TrialRunner.run(
            workload: QuadraticWorkload(target: target), submission: FixedRateSGD.self, hyperparameters: Self.sgd, seed: 1,
            budget: Self.budget, schedule: .steps(period: 25), maximumSteps: 300,
            snapshots: SnapshotGrid(points: (1...300).map(Double.init)))
        #expect(refined.status == .reachedTarget)
        #expect(refined.stepsToTarget == exact)
        // The periodic evaluation that met the target ended the trial; it stays the last row.
        let periodic = try #require(refined.evaluations.last)
        #expect(periodic.step == (exact / 25 + 1) * 25)
        #expect(refined.steps == periodic.step)
        // Rows in time order: the periodic ones, then the snapshots after the last periodic
        // evaluation that missed, up to the first meeting the target, then the one that met it.
        let steps = refined.evaluations.map(\.step)
        #expect(steps == Array(stride(from: 0, through: exact / 25 * 25, by: 25)) + Array((exact / 25 * 25 + 1)...exact) + [periodic.step])
        let denseByStep = Dictionary(uniqueKeysWithValues: dense.evaluations.map { ($0.step, $0) })
        for row in refined.evaluations {
            let same = try #require(denseByStep[row.step])
            #expect(row.validationMetric.bitPattern == same.validationMetric.bitPattern, "step \(row.step)")
            #expect(row.examples == same.examples && row.gradientEvaluations == same.gradientEvaluations)
        }
        // Snapshots before the hit: validation only. The hit and the periodic rows: in full.
        let hit = try #require(refined.evaluations.first { $0.step == exact })
        #expect(hit.trainLoss == denseByStep[exact]?.trainLoss && hit.testMetric == denseByStep[exact]?.testMetric)
        #expect(refined.timeToTarget == hit.submissionTime)
        #expect(refined.oracleCallsToTarget == exact)
        for row in refined.evaluations where row.step % 25 != 0 && row.step != exact {
            #expect(row.trainLoss.isNaN && row.testMetric.isNaN && row.validationMetric.isFinite)
        }
    }

    @Test func aSparseGridResolvesToItsNextPoint() throws {
        let target = 0.5
        let exact = try #require(Self.everyStep(target: target).stepsToTarget)
        // Points every 7 steps: the time to target is the first point at or past the exact step.
        let refined = TrialRunner.run(
            workload: QuadraticWorkload(target: target), submission: FixedRateSGD.self, hyperparameters: Self.sgd, seed: 1,
            budget: Self.budget, schedule: .steps(period: 50), maximumSteps: 300,
            snapshots: SnapshotGrid(points: stride(from: 7, through: 300, by: 7).map(Double.init)))
        let expected = min((exact + 6) / 7 * 7, (exact + 49) / 50 * 50)
        #expect(refined.stepsToTarget == expected)
        let periodicSteps = refined.evaluations.map(\.step).filter { $0 % 50 == 0 }
        #expect(periodicSteps == Array(stride(from: 0, through: (exact + 49) / 50 * 50, by: 50)))
    }

    @Test func calibrationRunsRefineTheFirstCrossingAndTrainOn() throws {
        let target = 0.5
        let dense = Self.everyStep(target: target, stopAtTarget: false)
        let refined = TrialRunner.run(
            workload: QuadraticWorkload(target: target), submission: FixedRateSGD.self, hyperparameters: Self.sgd, seed: 1,
            budget: Self.budget, schedule: .steps(period: 25), maximumSteps: 300, stopAtTarget: false,
            snapshots: SnapshotGrid(points: (1...300).map(Double.init)))
        #expect(refined.status == .budgetExhausted)
        #expect(refined.steps == 300)
        #expect(refined.stepsToTarget == dense.stepsToTarget)
        // After the target no more snapshots are kept: the rest are periodic rows only.
        let exact = try #require(dense.stepsToTarget)
        #expect(refined.evaluations.filter { $0.step > exact }.allSatisfy { $0.step % 25 == 0 })
        #expect(refined.evaluations.map(\.step) == refined.evaluations.map(\.step).sorted())
        #expect(dense.evaluations.last?.validationMetric.bitPattern == refined.evaluations.last?.validationMetric.bitPattern)
    }

    @Test func missedTargetsKeepOnlyPeriodicRows() {
        let refined = TrialRunner.run(
            workload: QuadraticWorkload(target: -1), submission: FixedRateSGD.self, hyperparameters: Self.sgd, seed: 1,
            budget: Self.budget, schedule: .steps(period: 25), maximumSteps: 100,
            snapshots: SnapshotGrid(points: (1...100).map(Double.init)))
        #expect(refined.status == .budgetExhausted)
        #expect(refined.evaluations.map(\.step) == [0, 25, 50, 75, 100])
        #expect(refined.timeToTarget == nil)
    }

    @Test func theStandardGridResolvesToATenthOfTheStepsOrOfTheBudget() throws {
        let grid = SnapshotGrid.standard(budgetSteps: 200)
        #expect(grid.points.first == 20)
        #expect(grid.points.allSatisfy { $0 < 2000 })
        #expect(try #require(grid.points.last) * SnapshotGrid.standardRatio >= 2000)
        for (a, b) in zip(grid.points, grid.points.dropFirst()) {
            #expect(abs(b / a - 1.08) < 1e-12)
        }
        #expect(grid.points.count == 60)  // 20 · 1.08^59 = 1875.2; 20 · 1.08^60 = 2025.2
        #expect(grid.lastPoint(atOrBelow: 19.9) == nil)
        #expect(grid.lastPoint(atOrBelow: 20) == 0)
        #expect(grid.lastPoint(atOrBelow: 21.7) == 1)
        #expect(grid.lastPoint(atOrBelow: 1e9) == 59)
        #expect(SnapshotGrid.geometric(start: 0, ratio: 1.1, end: 5).points.isEmpty)
        #expect(SnapshotGrid.geometric(start: 1, ratio: 1, end: 5).points.isEmpty)
        #expect(SnapshotGrid.geometric(start: 1, ratio: 2, end: .infinity).points.isEmpty)
    }

    /// A calibrated 20 s toy spec evaluating every 3 s, with the given step hint.
    static func toySpec(stepHint: Int) -> WorkloadSpec {
        WorkloadSpec(
            name: "toy", settings: [:], defaultBatchSize: 8, lossType: .meanSquaredError, metric: "mse", direction: .minimize,
            validationTarget: 0.3, testTarget: 0.3, maxRuntimeSeconds: 20, evalPeriodSeconds: 3, stepHint: stepHint, provisional: false)
    }

    /// A scored self-tuning request on the toy spec (budget × 1.5).
    static let scoredToyRequest = TrialRequest(
        key: TrialKey(submission: "sgd", workload: "toy", ruleset: "self", study: 0, trial: 0),
        hyperparameters: Hyperparameters(), seed: 1, budgetScale: 1.5)

    /// A scored trial (timed, stopping at the target) evaluates and keeps snapshots on
    /// steps at the spec's calibrated rate, so the steps it samples do not depend on the
    /// machine's load; calibration trials stay on the clock; asked-for step periods win.
    @Test func scoredTrialsSampleOnStepsAtTheCalibratedRate() throws {
        let spec = Self.toySpec(stepHint: 1000)
        let scored = Self.scoredToyRequest
        // 3 s × 1.5 at 1000 steps per 20 s: 225 steps.
        #expect(scored.schedule(on: spec) == .steps(period: 225))
        #expect(scored.snapshots(on: spec) == .standard(budgetSteps: 1500))
        #expect(scored.snapshotRatio == 1.08 && scored.recordedEvalEverySteps(on: spec) == 225)
        var calibration = scored
        calibration.stopAtTarget = false
        #expect(calibration.schedule(on: spec) == .submissionTime(period: 4.5))
        #expect(calibration.snapshots(on: spec) == nil && calibration.recordedEvalEverySteps(on: spec) == nil)
        var checked = scored
        checked.evalEverySteps = 10
        #expect(checked.schedule(on: spec) == .steps(period: 10) && checked.snapshots(on: spec) == nil)
        var tiny = spec
        tiny.evalPeriodSeconds = 1e-6
        #expect(scored.stepPeriod(on: tiny) == 1)
    }

    /// A scored trial gets the spec's step hint whatever its time allowance (AlgoPerf's
    /// self-tuning ruleset gives more time, not a longer schedule); a calibration trial
    /// searching 1.5 × the budget gets 1.5 × the hint, so a schedule over the hint spans
    /// its whole search instead of reaching zero learning rate two thirds of the way in.
    @Test func calibrationTrialsScaleTheStepHintWithTheirBudget() throws {
        let spec = Self.toySpec(stepHint: 1001)
        let scored = Self.scoredToyRequest
        #expect(scored.budget(on: spec) == Budget(maxRuntimeSeconds: 30, stepHint: 1001))
        var calibration = scored
        calibration.stopAtTarget = false
        #expect(calibration.budget(on: spec) == Budget(maxRuntimeSeconds: 30, stepHint: 1502))
        calibration.budgetScale = 1
        #expect(calibration.budget(on: spec) == spec.budget())
        calibration.budgetScale = 1e-6
        #expect(calibration.budget(on: spec).stepHint == 1)
    }

    /// Two runs of one scored trial sample the same steps with the same bits, however long
    /// their steps take: the first step meeting the target is the trajectory's, not the clock's.
    @Test func scoredTrialsReachTheTargetAtTheSameStepInEveryRun() throws {
        func run() -> TrialOutcome {
            TrialRunner.run(
                workload: QuadraticWorkload(target: 0.5), submission: FixedRateSGD.self, hyperparameters: Self.sgd, seed: 1,
                budget: Budget(maxRuntimeSeconds: 1e6, stepHint: 100), schedule: .steps(period: 25),
                snapshots: .standard(budgetSteps: 100))
        }
        let first = run(), second = run()
        #expect(first.status == .reachedTarget && first.stepsToTarget != nil)
        #expect(first.stepsToTarget == second.stepsToTarget)
        #expect(first.evaluations.map(\.step) == second.evaluations.map(\.step))
        #expect(first.evaluations.map(\.validationMetric.bitPattern) == second.evaluations.map(\.validationMetric.bitPattern))
    }
}
