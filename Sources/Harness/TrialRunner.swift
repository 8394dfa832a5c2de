import Core
import Foundation
import NN
import Results
import Tensor

/// What one trial produced, before it is addressed and written to a file.
public struct TrialOutcome: Sendable {
    public var status: TrialStatus
    public var message: String
    public var evaluations: [EvaluationRow]
    public var lossLog: LossLog
    public var timeToTarget: Double?
    public var stepsToTarget: Int?
    public var oracleCallsToTarget: Int?
    public var stateBytes: Int
    public var steps: Int
}

/// Runs one trial — (workload, submission, hyperparameters, seed) — under AlgoPerf's clock.
///
/// That clock reads `clock`: the trial thread's CPU time for a one-thread trial, so that
/// time the hypervisor takes from a shared machine is not billed to the submission (see
/// `TrialClock`).
///
/// Submission time counts data selection (the batch drawn at each step), the
/// submission's `step` and its `parametersForEvaluation`; initialisation, evaluation and
/// logging do not. Evaluation happens before the first step, whenever the schedule says,
/// and at the end. The trial stops when an evaluation meets the validation target
/// (status `reachedTarget`), when submission time reaches the budget or, under a step
/// budget (`maximumSteps`), which then replaces the time budget, when the steps are used
/// up (`budgetExhausted`), when the training loss or an evaluated metric is not finite
/// (`diverged`), or when the submission throws (`error`, with its message).
///
/// With a `snapshots` grid, the runner also keeps the evaluation parameters at the first
/// step at or past each grid point (`parametersForEvaluation` on the clock, as for an
/// evaluation; the copy off it). When a periodic evaluation is the first to meet the
/// target, the snapshots kept since the evaluation before it are evaluated in time order,
/// off the clock, validation metric only, until one meets the target: that snapshot gets
/// a full evaluation and is the trial's time to target (the periodic evaluation's own,
/// when none does). These rows go into the table in submission-time order, their train
/// loss and test metric NaN (not computed) but for the one meeting the target. The
/// submission never sees them: it has already stepped past them.
public enum TrialRunner {
    /// Runs the trial; never throws: failures become statuses. `snapshots` is in the
    /// schedule's measure (seconds of submission time, or steps); nil: periodic
    /// evaluations only. `clock` is what submission time and the rows' time since the
    /// start are read from (`TrialClock(threads:)` for a trial process).
    public static func run<W: Workload>(
        workload: W,
        submission: any Submission.Type,
        hyperparameters: Hyperparameters,
        seed: UInt64,
        budget: Budget,
        schedule: EvaluationSchedule,
        maximumSteps: Int? = nil,
        stopAtTarget: Bool = true,
        snapshots grid: SnapshotGrid? = nil,
        clock: TrialClock = .wall
    ) -> TrialOutcome {
        var state = RunState(budget: budget, stopAtTarget: stopAtTarget, clock: SubmissionClock(source: clock))
        var parameters = workload.initialParameters(seed: StableHash.derive(seed, "parameters"))
        let stream = workload.makeDataStream(seed: StableHash.derive(seed, "data"))
        let oracle = Oracle(workload: workload, stream: stream, randomSeed: StableHash.derive(seed, "submission"))
        let start = clock.now()

        var instance: any Submission
        do {
            instance = try submission.init(info: workload.info, hyperparameters: hyperparameters, budget: budget)
        } catch {
            state.finish(.error, "initialisation failed: \(error)")
            return state.outcome(stateBytes: 0)
        }

        var snapshots = grid.map(PendingSnapshots.init)
        func measure() -> Double { schedule.measure(step: state.step, time: state.clock.elapsed) }
        func row(_ metrics: Metrics, step: Int, time: Double, counts: OracleCounts) -> EvaluationRow {
            EvaluationRow(
                step: step, submissionTime: time, wallTime: clock.now() - start, counts: counts, metrics: metrics)
        }

        /// The first kept snapshot meeting the target, fully evaluated; every snapshot
        /// evaluated before it is a validation-only row.
        func firstSnapshotMeetingTarget() -> EvaluationRow? {
            for snapshot in snapshots?.kept ?? [] {
                let validation = workload.validationMetric(snapshot.parameters)
                if workload.spec.direction.meets(validation, target: workload.spec.validationTarget) {
                    let hit = row(
                        workload.evaluate(snapshot.parameters), step: snapshot.step, time: snapshot.submissionTime,
                        counts: snapshot.counts)
                    state.insertBeforeLast(hit)
                    return hit
                }
                let missed = Metrics(trainLoss: .nan, validationMetric: validation, testMetric: .nan)
                state.insertBeforeLast(row(missed, step: snapshot.step, time: snapshot.submissionTime, counts: snapshot.counts))
            }
            return nil
        }

        /// Evaluates `evaluated`; returns whether that ended the trial.
        func evaluate(_ evaluated: ParameterSet) -> Bool {
            let periodic = row(workload.evaluate(evaluated), step: state.step, time: state.clock.elapsed, counts: oracle.counts)
            switch state.record(periodic, target: workload.spec.validationTarget, direction: workload.spec.direction) {
            case .ended:
                return true
            case .continues:
                snapshots?.evaluated(at: measure())
                return false
            case .metTarget:
                state.reachTarget(at: firstSnapshotMeetingTarget() ?? periodic)
                snapshots = nil
                return state.status != nil
            }
        }

        _ = evaluate(instance.parametersForEvaluation(parameters))
        while state.status == nil {
            do {
                let context = StepContext(
                    step: state.step, stepHint: budget.stepHint, submissionTime: state.clock.elapsed,
                    lastEvaluation: state.lastMetrics)
                try state.clock.time {
                    oracle.drawBatch()
                    try instance.step(&parameters, oracle: oracle, context: context)
                }
            } catch {
                state.finish(.error, "step \(state.step): \(error)")
                break
            }
            state.step += 1
            if let loss = oracle.lastLoss {
                state.lossLog.record(step: state.step, loss: loss)
                if !loss.isFinite {
                    state.finish(.diverged, "training loss \(loss) at step \(state.step)")
                }
            }
            // A step budget replaces the time budget, so that the same seed gives the same
            // number of steps, rows and status on any machine.
            let outOfTime = maximumSteps == nil && state.clock.elapsed >= budget.maxRuntimeSeconds
            let outOfSteps = maximumSteps.map { state.step >= $0 } ?? false
            let due = schedule.isDue(step: state.step, time: state.clock.elapsed, lastStep: state.lastEvaluationStep, lastTime: state.lastEvaluationTime)
            if state.status == nil, due || outOfTime || outOfSteps {
                let evaluated = state.clock.time { instance.parametersForEvaluation(parameters) }
                if !evaluate(evaluated), state.status == nil, outOfTime || outOfSteps {
                    state.finish(.budgetExhausted, outOfTime ? "" : "step budget of \(state.step) steps used up")
                }
            } else if state.status == nil, snapshots?.isDue(at: measure()) == true {
                let evaluated = state.clock.time { instance.parametersForEvaluation(parameters) }
                snapshots?.keep(
                    evaluated, step: state.step, submissionTime: state.clock.elapsed, counts: oracle.counts, at: measure())
            }
        }
        return state.outcome(stateBytes: instance.stateBytes)
    }
}

/// The mutable bookkeeping of one trial.
private struct RunState {
    let budget: Budget
    var clock: SubmissionClock
    var step = 0
    var status: TrialStatus?
    var message = ""
    var evaluations: [EvaluationRow] = []
    var lossLog = LossLog()
    var lastMetrics: Metrics?
    var lastEvaluationStep = 0
    var lastEvaluationTime = 0.0
    var target: EvaluationRow?
    /// False for calibration runs, which train for the whole budget and only note when
    /// the target was first met.
    let stopAtTarget: Bool

    init(budget: Budget, stopAtTarget: Bool, clock: SubmissionClock) {
        self.budget = budget
        self.stopAtTarget = stopAtTarget
        self.clock = clock
    }

    mutating func finish(_ status: TrialStatus, _ message: String) {
        guard self.status == nil else { return }
        self.status = status
        self.message = message
    }

    /// What a periodic evaluation means for the trial.
    enum Verdict {
        /// The trial goes on.
        case continues
        /// It diverged: the trial has ended.
        case ended
        /// It is the first to meet the target: the runner refines the time, then calls
        /// `reachTarget(at:)`.
        case metTarget
    }

    /// Appends a periodic evaluation and says what it means.
    mutating func record(_ row: EvaluationRow, target: Double, direction: MetricDirection) -> Verdict {
        evaluations.append(row)
        lastMetrics = Metrics(trainLoss: row.trainLoss, validationMetric: row.validationMetric, testMetric: row.testMetric)
        lastEvaluationStep = row.step
        lastEvaluationTime = row.submissionTime
        if !row.validationMetric.isFinite || !row.trainLoss.isFinite {
            finish(.diverged, "non-finite evaluation at step \(row.step): train loss \(row.trainLoss), validation \(row.validationMetric)")
            return .ended
        }
        return direction.meets(row.validationMetric, target: target) && self.target == nil ? .metTarget : .continues
    }

    /// Notes `row` as the first meeting the target; ends the trial unless it runs on.
    mutating func reachTarget(at row: EvaluationRow) {
        target = row
        if stopAtTarget { finish(.reachedTarget, "") }
    }

    /// Puts an evaluation of an earlier snapshot before the periodic evaluation just recorded.
    mutating func insertBeforeLast(_ row: EvaluationRow) {
        evaluations.insert(row, at: max(evaluations.count - 1, 0))
    }

    func outcome(stateBytes: Int) -> TrialOutcome {
        TrialOutcome(
            status: status ?? .budgetExhausted, message: message, evaluations: evaluations, lossLog: lossLog,
            timeToTarget: target?.submissionTime, stepsToTarget: target?.step, oracleCallsToTarget: target?.oracleCalls,
            stateBytes: stateBytes, steps: step)
    }
}
