import ArgumentParser
import CSystem
import Core
import Foundation
import Harness

/// `optbench slurm-finish`: the job a Slurm submission runs after its array (whatever
/// the tasks' states). Records the trials of tasks the scheduler stopped with its reason,
/// then merges every trial of the plan into the run's results file, scores and plots, as
/// the end of a local run does. Exit status: 0 when every trial has a usable result; 2
/// when some do not (listed); 1 for any other error.
struct SlurmFinishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm-finish", abstract: "Record scheduler stops, then merge, score and plot a Slurm run (its last job).")

    @Option(help: "The submission file (results/runs/<run>/slurm/submission-<k>/submission.json).") var submission: String
    @Option(help: "The array's job id, to ask the controller how its tasks ended.") var arrayJob: String?

    mutating func validate() throws {
        try ArgumentCheck.existingFile(submission, argument: "--submission")
        if let arrayJob, SlurmClient.jobID(fromParsable: arrayJob) != arrayJob {
            throw ValidationError("--array-job must be a Slurm job id (decimal digits), got \(PlainName.escaped(arrayJob))")
        }
    }

    mutating func run() throws {
        // The output goes to a Slurm log file: one line at a time, so it shows while the job runs.
        optbench_line_buffer_stdout()
        let plan = try ClusterSubmission.read(submission)
        let jobs = try plan.jobs(at: plan.trials.indices, catalog: SpecCatalog(directory: plan.workloadsDirectory))
        let reader = ThisExecutable.resultsReader
        let runner = plan.runner(executable: ThisExecutable.path, reader: reader)
        let client = SlurmClient()
        if let arrayJob, client.isAvailable {
            do {
                let tasks = try client.arrayTasks(of: arrayJob)
                let (recorded, errors) = SchedulerStops.recordEnded(plan, jobs: jobs, tasks: tasks, arrayJob: arrayJob, runner: runner)
                for error in errors { FileHandle.standardError.write(Data("error: \(error)\n".utf8)) }
                if recorded > 0 { print("recorded \(recorded) trial(s) stopped by the scheduler") }
            } catch {
                print("warning: could not ask Slurm how the array's tasks ended: \(error)")
            }
        }
        if let figures = plan.figuresDirectory { try SuiteRunner.makeDirectories(figures) }
        let status = RunStatus.of(plan, jobs: jobs, runner: runner, queued: [:])
        print("trials: \(status.count(.done)) done, \(status.count(.failed)) failed, \(status.count(.pending)) without a file")
        try RunFinishing.mergeScoreAndPlot(
            jobs.map { runner.trialPath($0.request.key) }, reader: reader, into: plan.resultsPath,
            figuresDirectory: plan.figuresDirectory)
        try RunCommand.reportFailures(status.failures)
    }
}
