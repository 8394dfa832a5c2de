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
/// Submission time counts data selection (the batch drawn at each step), the
/// submission's `step` and its `parametersForEvaluation`; initialisation, evaluation and
/// logging do not. Evaluation happens before the first step, whenever the schedule says,
/// and at the end. The trial stops when an evaluation meets the validation target
/// (status `reachedTarget`), when submission time reaches the budget or, under a step
/// budget (`maximumSteps`), which then replaces the time budget, when the steps are used
/// up (`budgetExhausted`), when the training loss or an evaluated metric is not finite
/// (`diverged`), or when the submission throws (`error`, with its message).
public enum TrialRunner {
    /// Runs the trial; never throws: failures become statuses.
    public static func run<W: Workload>(
        workload: W,
        submission: any Submission.Type,
        hyperparameters: Hyperparameters,
        seed: UInt64,
        budget: Budget,
        schedule: EvaluationSchedule,
        maximumSteps: Int? = nil,
        stopAtTarget: Bool = true
    ) -> TrialOutcome {
        var state = RunState(budget: budget, stopAtTarget: stopAtTarget)
        var parameters = workload.initialParameters(seed: StableHash.derive(seed, "parameters"))
        let stream = workload.makeDataStream(seed: StableHash.derive(seed, "data"))
        let oracle = Oracle(workload: workload, stream: stream, randomSeed: StableHash.derive(seed, "submission"))
        let wallStart = MonotonicClock.now()

        var instance: any Submission
        do {
            instance = try submission.init(info: workload.info, hyperparameters: hyperparameters, budget: budget)
        } catch {
            state.finish(.error, "initialisation failed: \(error)")
            return state.outcome(stateBytes: 0)
        }

        func evaluate(_ evaluated: ParameterSet) -> Bool {
            let metrics = workload.evaluate(evaluated)
            let row = EvaluationRow(
                step: state.step, submissionTime: state.clock.elapsed, wallTime: MonotonicClock.now() - wallStart,
                counts: oracle.counts, metrics: metrics)
            return state.record(row, target: workload.spec.validationTarget, direction: workload.spec.direction)
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
            }
        }
        return state.outcome(stateBytes: instance.stateBytes)
    }
}

/// The mutable bookkeeping of one trial.
private struct RunState {
    let budget: Budget
    var clock = SubmissionClock()
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

    init(budget: Budget, stopAtTarget: Bool) {
        self.budget = budget
        self.stopAtTarget = stopAtTarget
    }

    mutating func finish(_ status: TrialStatus, _ message: String) {
        guard self.status == nil else { return }
        self.status = status
        self.message = message
    }

    /// Appends an evaluation; returns whether it ended the trial.
    mutating func record(_ row: EvaluationRow, target: Double, direction: MetricDirection) -> Bool {
        evaluations.append(row)
        lastMetrics = Metrics(trainLoss: row.trainLoss, validationMetric: row.validationMetric, testMetric: row.testMetric)
        lastEvaluationStep = row.step
        lastEvaluationTime = row.submissionTime
        if !row.validationMetric.isFinite || !row.trainLoss.isFinite {
            finish(.diverged, "non-finite evaluation at step \(row.step): train loss \(row.trainLoss), validation \(row.validationMetric)")
            return true
        }
        if direction.meets(row.validationMetric, target: target), self.target == nil {
            self.target = row
            if stopAtTarget {
                finish(.reachedTarget, "")
                return true
            }
        }
        return false
    }

    func outcome(stateBytes: Int) -> TrialOutcome {
        TrialOutcome(
            status: status ?? .budgetExhausted, message: message, evaluations: evaluations, lossLog: lossLog,
            timeToTarget: target?.submissionTime, stepsToTarget: target?.step, oracleCallsToTarget: target?.oracleCalls,
            stateBytes: stateBytes, steps: step)
    }
}
