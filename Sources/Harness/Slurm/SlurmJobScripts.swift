import Foundation

/// Where and how jobs are queued: the user's `--partition`, `--account`, `--qos` and
/// extra `sbatch` arguments, passed to `sbatch` as arguments, never through a shell.
public struct SlurmScheduling: Sendable, Equatable {
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// Further `sbatch` arguments, each one word, appended as given.
    public var extraArguments: [String]

    public init(partition: String? = nil, account: String? = nil, qos: String? = nil, extraArguments: [String] = []) {
        self.partition = partition
        self.account = account
        self.qos = qos
        self.extraArguments = extraArguments
    }

    /// The `sbatch` options these add.
    public var options: [String] {
        [partition.map { "--partition=\($0)" }, account.map { "--account=\($0)" }, qos.map { "--qos=\($0)" }]
            .compactMap { $0 } + extraArguments
    }
}

/// The two batch scripts of a submission and their `sbatch` options. A script holds one
/// command, every word of it quoted (`ShellQuoting`); the trials a task runs are not in
/// the script but in the task's file, which the task reads and validates. Options go
/// to `sbatch` as an argument vector.
public enum SlurmJobScripts {
    /// The array task's script: runs `optbench slurm-task` on the task's own file in
    /// `tasksDirectory`, chosen by the task's index.
    public static func arrayScript(executable: String, tasksDirectory: String) -> String {
        script(
            comment: "one array task: the trials of task_$SLURM_ARRAY_TASK_ID.json, one after another",
            command: ShellQuoting.commandLine([executable, "slurm-task", "--tasks", tasksDirectory, "--task"])
                + " \"$SLURM_ARRAY_TASK_ID\"")
    }

    /// The finishing job's script: records scheduler stops, merges, scores and plots.
    public static func finishScript(executable: String, submissionPath: String, arrayJob: String?) -> String {
        var words = [executable, "slurm-finish", "--submission", submissionPath]
        if let arrayJob { words += ["--array-job", arrayJob] }
        return script(
            comment: "after the array: record tasks the scheduler stopped, then merge, score and plot", command: ShellQuoting.commandLine(words))
    }

    /// `sbatch` options of the job array.
    public static func arrayOptions(
        run: String, taskCount: Int, resources: SlurmResources, logDirectory: String, scheduling: SlurmScheduling
    ) -> [String] {
        [
            "--job-name=optbench-\(run)", "--array=0-\(taskCount - 1)", "--cpus-per-task=\(resources.cpusPerTask)",
            "--time=\(resources.timeMinutes)", "--mem=\(resources.memoryMegabytes)M",
            "--output=\(filenamePattern(logDirectory))/task_%a.out", "--chdir=\(logDirectory)",
        ] + scheduling.options
    }

    /// Minutes the finishing job may take: reading and merging trial files (about 2,000 a
    /// second, see README), scoring and plotting, with room to spare.
    public static func finishMinutes(trials: Int) -> Int { 10 + trials / 10_000 }

    /// `sbatch` options of the finishing job: after every array task has ended, whatever
    /// its state (`afterany`); none when there is no array to wait for.
    public static func finishOptions(
        run: String, arrayJob: String?, trials: Int, logDirectory: String, scheduling: SlurmScheduling
    ) -> [String] {
        ["--job-name=optbench-\(run)-finish"] + (arrayJob.map { ["--dependency=afterany:\($0)"] } ?? []) + [
            "--cpus-per-task=1", "--time=\(finishMinutes(trials: trials))", "--mem=\(SlurmResources.defaultMemoryMegabytes)M",
            "--output=\(filenamePattern(logDirectory))/finish.out", "--chdir=\(logDirectory)",
        ] + scheduling.options
    }

    /// `path` for an `sbatch` filename pattern: `%` doubled so that Slurm keeps it literal.
    public static func filenamePattern(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%%")
    }

    private static func script(comment: String, command: String) -> String {
        "#!/bin/sh\n# optbench: \(comment).\nexec \(command)\n"
    }
}
