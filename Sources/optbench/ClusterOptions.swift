import ArgumentParser
import Core
import Foundation
import Harness

/// Where `optbench run` runs its trials: here (`--executor local`, the default) or as a
/// Slurm job array (`--executor slurm`), with the Slurm options.
struct ClusterOptions: ParsableArguments {
    enum Executor: String, ExpressibleByArgument, CaseIterable {
        case local, slurm
    }

    @Option(help: "Where trials run: local (here, --jobs at a time) or slurm (a job array, then a merging job).")
    var executor: Executor = .local
    @Option(help: "Slurm partition (sbatch --partition).") var partition: String?
    @Option(help: "Slurm account (sbatch --account).") var account: String?
    @Option(help: "Slurm quality of service (sbatch --qos).") var qos: String?
    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue, help: "Another sbatch argument, one word (repeatable), e.g. --sbatch-arg=--exclusive.")
    var sbatchArguments: [String] = []
    @Option(name: .customLong("time-limit"), parsing: .unconditional, help: "Minutes per array task instead of the time computed from the budgets.")
    var timeLimit: Int?
    @Option(name: .customLong("mem-mb"), parsing: .unconditional, help: "MiB per array task instead of the memory computed from recorded peaks.")
    var memoryMegabytes: Int?
    @Flag(help: "With --executor slurm: print the sbatch commands and scripts without writing or submitting anything.")
    var dryRun = false

    func validate() throws {
        let slurmOnly = [partition, account, qos].contains { $0 != nil } || !sbatchArguments.isEmpty || timeLimit != nil
            || memoryMegabytes != nil || dryRun
        if executor == .local, slurmOnly {
            throw ValidationError("--partition, --account, --qos, --sbatch-arg, --time-limit, --mem-mb and --dry-run need --executor slurm")
        }
        for (argument, value) in [("--partition", partition), ("--account", account), ("--qos", qos)] {
            if let value { try ArgumentCheck.plainName(value, argument: argument) }
        }
        for argument in sbatchArguments where argument.isEmpty || argument.contains("\n") || argument.contains("\0") {
            throw ValidationError("--sbatch-arg must be one non-empty word without line breaks, got \(PlainName.escaped(argument))")
        }
        if let timeLimit { try ArgumentCheck.within(timeLimit, 1...525_600, argument: "--time-limit") }
        if let memoryMegabytes { try ArgumentCheck.within(memoryMegabytes, 1...(1 << 30), argument: "--mem-mb") }
    }

    /// Submits `jobs` to Slurm (or prints what would be submitted) and says what it did.
    func submit(
        _ jobs: [TrialJob], run: String, workloadsDirectory: String, resultsDirectory: String, threads: Int,
        figuresDirectory: String?
    ) throws {
        let runner = SuiteRunner(
            executable: ThisExecutable.path, workloadsDirectory: Self.absolute(workloadsDirectory),
            trialsDirectory: Self.absolute("\(resultsDirectory)/runs/\(run)/trials"), jobs: 1, threadsPerTrial: threads,
            reader: ThisExecutable.resultsReader)
        let submitter = SlurmSubmitter(
            client: SlurmClient(),
            scheduling: SlurmScheduling(partition: partition, account: account, qos: qos, extraArguments: sbatchArguments),
            timeMinutes: timeLimit, memoryMegabytes: memoryMegabytes)
        let folder = SlurmRunFolder(runDirectory: Self.absolute("\(resultsDirectory)/runs/\(run)"))
        let outcome = try submitter.submit(
            jobs, runner: runner, run: run, folder: folder, resultsPath: Self.absolute("\(resultsDirectory)/\(run).h5"),
            figuresDirectory: figuresDirectory.map(Self.absolute), dryRun: dryRun)
        for file in outcome.unreadable { print("warning: submitted again, its file could not be read: \(file.reason)") }
        let submission = outcome.submission
        let resources = outcome.resources
        print("submission \(outcome.number): \(submission.pending.count) of \(submission.trials.count) trials pending"
              + (submission.taskCount > 0
                  ? " in \(submission.taskCount) array task(s) of \(submission.trialsPerTask) trial(s), each --cpus-per-task=\(resources.cpusPerTask) --time=\(resources.timeMinutes) --mem=\(resources.memoryMegabytes)M"
                  : "; only the merging job is submitted"))
        if dryRun {
            print("dry run: nothing written or submitted. Would write \(folder.submissionFile(outcome.number)) and run:")
            if let command = outcome.arrayCommand, let script = outcome.arrayScript {
                print(ShellQuoting.commandLine(command) + "\n" + script)
            }
            print(ShellQuoting.commandLine(outcome.finishCommand) + "\n" + outcome.finishScript, terminator: "")
            return
        }
        if let jobs = outcome.jobs {
            print("submitted: " + (jobs.array.map { "array job \($0), " } ?? "") + "merging job \(jobs.finish) (after the array)")
        }
        print("status: optbench status \(run)" + (resultsDirectory == "results" ? "" : " --results-dir \(ShellQuoting.quoted(resultsDirectory))"))
        print("logs: \(folder.logDirectory(outcome.number))/; results: \(submission.resultsPath) once the merging job has run")
    }

    /// `path` made absolute against the current folder (array tasks run elsewhere).
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
