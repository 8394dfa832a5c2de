import Core
import Foundation
import Results

/// Submits a run's pending trials to Slurm: one job array of `optbench slurm-task`
/// processes and a finishing job that depends on it (`afterany`) and merges, scores and
/// plots. The plan is the one a local run would run (same jobs, seeds, hyperparameters);
/// a trial whose file is complete and current is not submitted again, as a local rerun
/// skips it, so resubmitting the same command submits only missing, incomplete and
/// crashed trials.
public struct SlurmSubmitter: Sendable {
    public var client: SlurmClient
    public var scheduling: SlurmScheduling
    /// `--time` in minutes instead of the one computed from budgets.
    public var timeMinutes: Int?
    /// `--mem` in MiB instead of the one computed from recorded peaks.
    public var memoryMegabytes: Int?

    /// `MaxArraySize` assumed by a dry run where Slurm is not installed (Slurm's default).
    public static let defaultMaxArraySize = 1001

    public init(client: SlurmClient, scheduling: SlurmScheduling, timeMinutes: Int? = nil, memoryMegabytes: Int? = nil) {
        self.client = client
        self.scheduling = scheduling
        self.timeMinutes = timeMinutes
        self.memoryMegabytes = memoryMegabytes
    }

    /// What a submission did (or, in a dry run, would do).
    public struct Outcome: Sendable {
        public var number: Int
        public var submission: ClusterSubmission
        public var resources: SlurmResources
        /// Submission files whose trial file existed but could not be read (submitted again).
        public var unreadable: [(path: String, reason: String)]
        /// The `sbatch` command lines and scripts, for `--dry-run` and the record.
        public var arrayCommand: [String]?
        public var arrayScript: String?
        public var finishCommand: [String]
        public var finishScript: String
        public var jobs: SlurmRunFolder.Jobs?
    }

    /// A run that still has jobs in the queue from an earlier submission.
    public struct StillQueued: Error, CustomStringConvertible {
        public var submission: Int
        public var jobs: [String]
        public var description: String {
            "submission \(submission) of this run still has jobs in the queue (\(jobs.joined(separator: ", "))): "
                + "wait for them (optbench status) or cancel them (scancel) before submitting again"
        }
    }

    /// Plans the submission of `jobs` (run by `runner`'s settings into its trials folder)
    /// and, unless `dryRun`, writes it into `folder` and submits it.
    public func submit(
        _ jobs: [TrialJob], runner: SuiteRunner, run: String, folder: SlurmRunFolder, resultsPath: String,
        figuresDirectory: String?, dryRun: Bool
    ) throws -> Outcome {
        if !dryRun { try checkNothingQueued(folder) }
        let (records, unreadable) = runner.storedRecords(of: jobs)
        let pending = zip(jobs, records).enumerated().compactMap { index, pair -> Int? in
            if case .due = SuiteRunner.state(of: pair.0, stored: pair.1) { return index }
            return nil
        }
        let maxArraySize = dryRun && !client.isAvailable ? Self.defaultMaxArraySize : try client.maxArraySize()
        let perTask = ClusterSubmission.trialsPerTask(pending: pending.count, maxArraySize: maxArraySize)
        var resources = SlurmResources.forArray(
            of: pending.map { jobs[$0] }, trialsPerTask: perTask, threadsPerTrial: runner.threadsPerTrial,
            peakResidentBytes: SlurmResources.peakResidentBytes(of: records.compactMap { $0 }))
        if let timeMinutes { resources.timeMinutes = timeMinutes }
        if let memoryMegabytes { resources.memoryMegabytes = memoryMegabytes }
        let submission = ClusterSubmission(
            run: run, executable: runner.executable, workloadsDirectory: runner.workloadsDirectory,
            trialsDirectory: runner.trialsDirectory, resultsPath: resultsPath, figuresDirectory: figuresDirectory,
            threadsPerTrial: runner.threadsPerTrial, trials: jobs.map(\.request), pending: pending, trialsPerTask: perTask)
        let number = (folder.submissionNumbers.last ?? 0) + 1
        var outcome = plan(submission, number: number, folder: folder, resources: resources, arrayJob: pending.isEmpty ? nil : "<array job id>")
        outcome.unreadable = unreadable
        guard !dryRun else { return outcome }
        try SuiteRunner.makeDirectories(folder.logDirectory(number))
        let submissionPath = folder.submissionFile(number)
        try submission.write(to: submissionPath)
        try writeTaskFiles(of: submission, into: folder.tasksDirectory(number))
        var arrayJob: String?
        if let command = outcome.arrayCommand, let script = outcome.arrayScript {
            let path = folder.submissionDirectory(number) + "/array.sh"
            try AtomicFile.write(script, to: path)
            arrayJob = try client.submit(script: path, options: Array(command.dropFirst().dropLast()))
        }
        outcome = plan(submission, number: number, folder: folder, resources: resources, arrayJob: arrayJob)
        let finishPath = folder.submissionDirectory(number) + "/finish.sh"
        try AtomicFile.write(outcome.finishScript, to: finishPath)
        let finish = try client.submit(script: finishPath, options: Array(outcome.finishCommand.dropFirst().dropLast()))
        outcome.jobs = SlurmRunFolder.Jobs(array: arrayJob, finish: finish)
        outcome.unreadable = unreadable
        try folder.write(SlurmRunFolder.Jobs(array: arrayJob, finish: finish), number: number)
        return outcome
    }

    /// The scripts and `sbatch` command lines of submission `number`, the finishing job
    /// depending on `arrayJob`.
    func plan(
        _ submission: ClusterSubmission, number: Int, folder: SlurmRunFolder, resources: SlurmResources, arrayJob: String?
    ) -> Outcome {
        let directory = folder.submissionDirectory(number)
        let logs = folder.logDirectory(number)
        let path = folder.submissionFile(number)
        let arrayCommand = submission.taskCount == 0 ? nil : ["sbatch"] + SlurmJobScripts.arrayOptions(
            run: submission.run, taskCount: submission.taskCount, resources: resources, logDirectory: logs,
            scheduling: scheduling) + [directory + "/array.sh"]
        let finishCommand = ["sbatch"] + SlurmJobScripts.finishOptions(
            run: submission.run, arrayJob: arrayJob, trials: submission.trials.count, logDirectory: logs,
            scheduling: scheduling) + [directory + "/finish.sh"]
        return Outcome(
            number: number, submission: submission, resources: resources, unreadable: [], arrayCommand: arrayCommand,
            arrayScript: arrayCommand == nil
                ? nil : SlurmJobScripts.arrayScript(executable: submission.executable, tasksDirectory: folder.tasksDirectory(number)),
            finishCommand: finishCommand,
            finishScript: SlurmJobScripts.finishScript(executable: submission.executable, submissionPath: path, arrayJob: arrayJob),
            jobs: nil)
    }

    /// Writes each array task's own file (`tasks/task_<i>.json`).
    private func writeTaskFiles(of submission: ClusterSubmission, into directory: String) throws {
        guard submission.taskCount > 0 else { return }
        try SuiteRunner.makeDirectories(directory)
        for task in 0..<submission.taskCount {
            try submission.taskFile(task).write(to: SlurmRunFolder.taskFile(task, in: directory))
        }
    }

    /// Throws `StillQueued` when the latest submission's array or finishing job is still
    /// queued or running, so that no trial is submitted twice.
    private func checkNothingQueued(_ folder: SlurmRunFolder) throws {
        guard let number = folder.submissionNumbers.last, let jobs = try folder.jobs(number: number) else { return }
        let ids = [jobs.array, jobs.finish].compactMap { $0 }
        let queued = try ids.filter { try client.isQueued($0) }
        guard queued.isEmpty else { throw StillQueued(submission: number, jobs: queued) }
    }
}
