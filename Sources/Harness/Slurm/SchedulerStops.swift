import Core
import Foundation
import Results

/// Trials that Slurm stopped (time limit, preemption, node failure, `scancel`), recorded
/// as `crashed` with the scheduler's reason, so that the merged results say why they have
/// no result and a resubmission runs them again (a `crashed` trial is retried, its
/// message kept in the new record's `history`, as in a local run).
///
/// Two steps, since either alone misses cases: the array task itself traps the SIGTERM
/// Slurm sends before SIGKILL and records the trials it had not finished
/// (`recordSignal`); the finishing job then asks the controller how each task ended
/// (`scontrol show job`, no accounting database needed) and names the state and reason
/// in the records of the trials whose task was stopped, including tasks that had no chance
/// to write anything (SIGKILL, a node that went down) (`recordEnded`).
public enum SchedulerStops {
    /// How messages name an array task: `Slurm job 12_3`.
    public static func taskLabel(arrayJob: String?, task: Int) -> String {
        "Slurm job \(arrayJob ?? "?")_\(task)"
    }

    /// The history each of `jobs` would run with now (earlier failed attempts): what an
    /// array task notes before it runs, for `recordSignal`.
    public static func histories(of jobs: [TrialJob], runner: SuiteRunner) -> [[String]] {
        zip(jobs, runner.storedRecords(of: jobs).records).map { job, record in
            if case .due(let history) = SuiteRunner.state(of: job, stored: record) { return history }
            return []
        }
    }

    /// In an array task stopped by `signal`: writes a `crashed` record for each of `jobs`
    /// that has no current record now (a trial that died of the signal and was recorded
    /// `crashed` by the runner is replaced), with the history it started with
    /// (`histories`, from before the run); returns why any record could not be written.
    public static func recordSignal(
        _ signal: Int32, jobs: [TrialJob], histories: [[String]], runner: SuiteRunner, taskLabel: String
    ) -> [String] {
        let name = [SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
        let message = "stopped by the scheduler: \(taskLabel) received \(name) (time limit, preemption or scancel) before this trial finished"
        let stored = runner.storedRecords(of: jobs).records
        var errors: [String] = []
        for (index, job) in jobs.enumerated() {
            guard case .due = SuiteRunner.state(of: job, stored: stored[index]) else { continue }
            if let error = write(job, message: message, history: histories[index], runner: runner) { errors.append(error) }
        }
        return errors
    }

    /// In the finishing job: for each submitted trial without a current record whose task
    /// ended in a state of `TaskState.stoppedByScheduler`, writes a `crashed` record naming
    /// the task, its state and Slurm's reason. Returns the number of trials recorded and
    /// why any record could not be written.
    public static func recordEnded(
        _ submission: ClusterSubmission, jobs: [TrialJob], tasks: [Int: TaskState], arrayJob: String, runner: SuiteRunner
    ) -> (recorded: Int, errors: [String]) {
        let taskOfTrial = submission.taskOfTrial
        let candidates = submission.pending.filter { index in
            guard let task = taskOfTrial[index], let state = tasks[task] else { return false }
            return TaskState.stoppedByScheduler.contains(state.state)
        }
        let stored = runner.storedRecords(of: candidates.map { jobs[$0] }).records
        var recorded = 0
        var errors: [String] = []
        for (index, record) in zip(candidates, stored) {
            let job = jobs[index]
            guard case .due(let history) = SuiteRunner.state(of: job, stored: record),
                  let task = taskOfTrial[index], let state = tasks[task] else { continue }
            let label = taskLabel(arrayJob: arrayJob, task: task)
            let ended = "\(label) ended \(state.description), said the scheduler"
            let message: String
            let kept: [String]
            if let record, record.status == .crashed, record.message.contains(label) {
                // The task's own record of this attempt: the scheduler's word goes first.
                message = ended + "; " + record.message
                kept = record.history
            } else {
                message = ended + "; the trial left no result"
                kept = history
            }
            if let error = write(job, message: message, history: kept, runner: runner) { errors.append(error) } else { recorded += 1 }
        }
        return (recorded, errors)
    }

    /// Writes `job`'s crashed record; returns why it could not, nil when written.
    private static func write(_ job: TrialJob, message: String, history: [String], runner: SuiteRunner) -> String? {
        let path = runner.trialPath(job.request.key)
        let record = TrialExecution.crashedRecord(for: job.request, spec: job.spec, message: message, history: history)
        do {
            try SuiteRunner.makeDirectories((path as NSString).deletingLastPathComponent)
            try TrialFile.write(record, provenance: ProvenanceCollector.current(), to: path)
            return nil
        } catch {
            SuiteRunner.removeTemporaries(ofTrialAt: path)
            return "cannot record the scheduler's stop in \(PathError.quoted(path)): \(error)"
        }
    }
}
