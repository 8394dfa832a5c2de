import ArgumentParser
import CSystem
import Core
import Foundation
import Harness

/// `optbench slurm-task`: one task of a submitted job array. Runs the trials of the
/// task's own file (`<tasks>/task_<i>.json`, the submission cut down to them), each in its own `optbench trial` process, one
/// after another, skipping those already complete and recording crashes, as a local run
/// does. When Slurm stops the task (SIGTERM before SIGKILL: time limit, preemption,
/// `scancel`), the trial in flight and those not started are recorded `crashed` with that
/// reason. Exit status: 0 when every trial has a file (whatever its status); 128 + the
/// signal when stopped; 1 for a bad submission file.
struct SlurmTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm-task", abstract: "Run one task of a Slurm job array (what the submitted script calls).")

    @Option(help: "The submission's tasks folder (results/runs/<run>/slurm/submission-<k>/tasks).") var tasks: String
    @Option(parsing: .unconditional, help: "The array task index ($SLURM_ARRAY_TASK_ID): reads <tasks>/task_<i>.json.") var task: Int

    mutating func validate() throws {
        try ArgumentCheck.existingFolder(tasks, argument: "--tasks")
        try ArgumentCheck.within(task, 0...1_000_000_000, argument: "--task")
        try ArgumentCheck.existingFile(SlurmRunFolder.taskFile(task, in: tasks), argument: "--task")
    }

    mutating func run() throws {
        // The output goes to a Slurm log file: one line at a time, so it shows while the job runs.
        optbench_line_buffer_stdout()
        let plan = try ClusterSubmission.read(SlurmRunFolder.taskFile(task, in: tasks))
        let jobs = try plan.jobs(at: plan.pending, catalog: SpecCatalog(directory: plan.workloadsDirectory))
        let interruption = RunInterruption()
        interruption.install()
        let runner = plan.runner(executable: ThisExecutable.path, interruption: interruption, reader: ThisExecutable.resultsReader)
        let label = SchedulerStops.taskLabel(arrayJob: ProcessInfo.processInfo.environment["SLURM_ARRAY_JOB_ID"], task: task)
        print("\(label): \(jobs.count) trial(s) of run \(plan.run)")
        let histories = SchedulerStops.histories(of: jobs, runner: runner)
        let summary = try runner.run(jobs, progress: ProgressReporter(total: jobs.count, live: false))
        if let signal = summary.interruptedBy {
            for error in SchedulerStops.recordSignal(signal, jobs: jobs, histories: histories, runner: runner, taskLabel: label) {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
            print("\(label): stopped by signal \(signal); unfinished trials recorded as crashed")
            Foundation.exit(128 + signal)
        }
        print("\(label): \(summary.ran) run, \(summary.skipped) already complete, \(summary.crashed) crashed")
    }
}
