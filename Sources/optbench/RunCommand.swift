import ArgumentParser
import Core
import Foundation
import Harness
import Results
import Submissions
import Tensor
import Workloads

/// `optbench run`: a suite run — plan the trials of a profile and ruleset, run each in its
/// own process (`--jobs` at a time), merge them into `results/<run>.h5`, score, and plot.
/// Rerunning the same command resumes: complete trials are skipped, crashed and missing
/// ones are run again.
///
/// Exit status: 0 when every trial has a result and none ended `crashed` or `error`;
/// `failedTrialsExitStatus` (2) when some did (or could not write their file), after
/// merging, scoring and plotting the rest and listing them one per line; 64 for a bad
/// argument; 128 + the signal's number when interrupted by SIGINT, SIGTERM or SIGHUP
/// (the trials in flight are stopped and not recorded; nothing is merged); 1 for any
/// other error.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run workloads × submissions under a ruleset and profile, then merge, score and plot.")

    /// Exit status when the run finished but some trials have no usable result.
    static let failedTrialsExitStatus: Int32 = 2

    @Option(help: "Profile from <workloads-dir>/profiles.json (smoke, quick, full).") var profile = "quick"
    @Option(help: "Ruleset: external or self (default: the profile's).") var ruleset: String?
    @Option(help: "Comma-separated submissions, each once (default: the profile's).") var submissions: String?
    @Option(help: "Comma-separated workloads or variants, each once (default: the profile's).") var workloads: String?
    @Option(parsing: .unconditional, help: "Trial processes at once, 1 to 1024.")
    var jobs = min(ProcessInfo.processInfo.activeProcessorCount, ArgumentCheck.threads.upperBound)
    @Option(parsing: .unconditional, help: "OpenBLAS threads per trial process, 1 to 1024.") var threads = 1
    @Option(parsing: .unconditional, help: "Suite seed, a non-negative integer: every trial seed and tuning draw derives from it.")
    var seed = 0
    @Option(parsing: .unconditional, help: "Step budget per trial: stop after N steps instead of at the time budget.")
    var maxSteps: Int?
    @Option(parsing: .unconditional, help: "Evaluate every N steps instead of every eval_period_s of submission time.")
    var evalEverySteps: Int?
    @Option(name: .customLong("run"), help: "Run name (default: the profile's name): results/<run>.h5 and plots/<run>/.")
    var runName: String?
    @Option(help: "Folder of workload specs and profiles.json.") var workloadsDir = "workloads"
    @Option(help: "Folder for results files.") var resultsDir = "results"
    @Option(help: "Folder for figure folders.") var plotsDir = "plots"
    @Flag(help: "Skip rendering figures.") var noPlots = false
    @OptionGroup(title: "Cluster") var cluster: ClusterOptions
    @Option(help: ArgumentHelp(
        "Search space replacing a submission's own (external ruleset), in AlgoPerf's tuning_search_space.json forms: FILE for a run of one submission, NAME=FILE for each of several (repeatable).",
        valueName: "[NAME=]FILE"))
    var searchSpace: [String] = []

    mutating func validate() throws {
        try ArgumentCheck.plainName(profile, argument: "--profile")
        if let ruleset { try ArgumentCheck.plainName(ruleset, argument: "--ruleset") }
        _ = try ArgumentCheck.nameList(submissions, argument: "--submissions")
        _ = try ArgumentCheck.nameList(workloads, argument: "--workloads")
        try ArgumentCheck.within(jobs, ArgumentCheck.threads, argument: "--jobs")
        try ArgumentCheck.within(threads, ArgumentCheck.threads, argument: "--threads")
        try ArgumentCheck.within(seed, ArgumentCheck.suiteSeed, argument: "--seed")
        if let n = maxSteps { try ArgumentCheck.within(n, ArgumentCheck.steps, argument: "--max-steps") }
        if let n = evalEverySteps { try ArgumentCheck.within(n, ArgumentCheck.steps, argument: "--eval-every-steps") }
        if let name = runName {
            try ArgumentCheck.plainName(name, argument: "--run")
            guard !name.lowercased().hasSuffix(".h5") else {
                throw ValidationError("--run must be a run name, not a file name: drop the '.h5' from \(PlainName.escaped(name))")
            }
        }
        for (argument, path) in [("--workloads-dir", workloadsDir), ("--results-dir", resultsDir), ("--plots-dir", plotsDir)]
        where path.isEmpty {
            throw ValidationError("\(argument) must be a folder path, got an empty string")
        }
    }

    mutating func run() throws {
        let catalog = try SpecCatalog(directory: workloadsDir)
        let chosen = try Profile.load(named: profile, contentsOf: "\(workloadsDir)/profiles.json")
        let rules = try ruleset.map(Ruleset.named) ?? chosen.ruleset
        let submissionNames = try Self.knownSubmissions(ArgumentCheck.nameList(submissions, argument: "--submissions"))
            ?? (chosen.submissions.isEmpty ? SubmissionRegistry.names : chosen.submissions)
        // A profile without a workload list means every workload that has both a spec and an implementation.
        let implemented = catalog.baseNames.filter(WorkloadRegistry.names.contains)
        let namedWorkloads = try ArgumentCheck.nameList(workloads, argument: "--workloads")
        let workloadNames = namedWorkloads ?? (chosen.workloads.isEmpty ? implemented : chosen.workloads)
        try Self.checkImplemented(workloadNames, catalog: catalog, argument: namedWorkloads == nil ? "profile \(chosen.name)" : "--workloads")
        var plannedProfile = chosen
        plannedProfile.workloads = workloadNames
        let spaces = try searchSpaces(ruleset: rules, submissions: submissionNames)
        let jobList = try TrialPlan.jobs(
            catalog: catalog, profile: plannedProfile, ruleset: rules, submissionNames: submissionNames,
            workloadNames: namedWorkloads, suiteSeed: seed, searchSpaces: spaces
        ).map { job in
            var job = job
            job.request.maximumSteps = maxSteps
            job.request.evalEverySteps = evalEverySteps
            return job
        }
        let runName = self.runName ?? chosen.name
        try ArgumentCheck.plainName(runName, argument: "the profile name used as --run")
        let trialsDirectory = "\(resultsDir)/runs/\(runName)/trials"
        let figuresDirectory = "\(plotsDir)/\(runName)"
        try SuiteRunner.makeDirectories(trialsDirectory)
        if !noPlots { try SuiteRunner.makeDirectories(figuresDirectory) }
        if cluster.executor == .slurm {
            return try cluster.submit(
                jobList, run: runName, workloadsDirectory: workloadsDir, resultsDirectory: resultsDir, threads: threads,
                figuresDirectory: noPlots ? nil : figuresDirectory)
        }

        print("run \(runName): profile \(chosen.name), ruleset \(rules.rawValue), \(jobList.count) trials "
              + "(\(Set(jobList.map(\.spec.name)).count) workloads × \(submissionNames.count) submissions), "
              + "\(jobs) at a time, \(threads) BLAS thread(s) each"
              + (maxSteps.map { ", step budget \($0)" } ?? "") + (evalEverySteps.map { ", evaluating every \($0) steps" } ?? ""))
        if let notice = CalibrationMachineNotice.line(
            for: jobList.map(\.spec), cpu: ProvenanceCollector.cpuModel() ?? "unknown CPU") {
            print(notice)
        }
        let interruption = RunInterruption()
        interruption.install()
        let reader = ThisExecutable.resultsReader
        let runner = SuiteRunner(
            executable: ThisExecutable.path, workloadsDirectory: workloadsDir, trialsDirectory: trialsDirectory,
            jobs: jobs, threadsPerTrial: threads, interruption: interruption, reader: reader)
        let progress = ProgressReporter(total: jobList.count, live: isatty(STDOUT_FILENO) == 1)
        let summary = try runner.run(jobList, progress: progress)
        progress.close()
        for file in summary.unreadable { print("warning: redone, its file could not be read: \(file.reason)") }
        if let signal = summary.interruptedBy { Self.exitInterrupted(by: signal) }
        print("trials: \(summary.ran) run, \(summary.skipped) already complete, \(summary.crashed) crashed")

        let resultsPath = "\(resultsDir)/\(runName).h5"
        // A failed merge (a full disk) still ends with the list of trials that failed.
        do {
            try RunFinishing.mergeScoreAndPlot(
                summary.trialFiles, reader: reader, into: resultsPath, figuresDirectory: noPlots ? nil : figuresDirectory)
        } catch {
            try? Self.reportFailures(summary.failures)
            throw error
        }
        try Self.reportFailures(summary.failures)
    }

    /// The `--search-space` files by submission; an error under the self-tuning ruleset,
    /// which draws nothing.
    private func searchSpaces(ruleset: Ruleset, submissions: [String]) throws -> [String: SearchSpace] {
        guard !searchSpace.isEmpty else { return [:] }
        guard ruleset == .external else {
            throw ArgumentCheck.usageError("--search-space applies to the external ruleset; ruleset \(ruleset.rawValue) tunes nothing")
        }
        do {
            return try SearchSpaceOverrides.load(searchSpace, submissions: submissions)
        } catch let error as InputError {
            throw ArgumentCheck.usageError("\(error)")
        }
    }

    /// `names` when every one is a registered submission; throws naming the first unknown one.
    static func knownSubmissions(_ names: [String]?) throws -> [String]? {
        guard let names else { return nil }
        for name in names where !SubmissionRegistry.names.contains(name) {
            throw ArgumentCheck.usageError(
                "--submissions: unknown submission \(PlainName.escaped(name)) (registered: \(SubmissionRegistry.names.joined(separator: ", ")))")
        }
        return names
    }

    /// Throws unless every name is a spec in `catalog` whose base workload is implemented.
    static func checkImplemented(_ names: [String], catalog: SpecCatalog, argument: String) throws {
        for name in names {
            guard let spec = catalog.allSpecs.first(where: { $0.name == name }) else {
                throw ArgumentCheck.usageError(
                    "\(argument): unknown workload \(PlainName.escaped(name)) (specs: \(catalog.allSpecs.map(\.name).joined(separator: ", ")))")
            }
            guard WorkloadRegistry.names.contains(spec.baseName) else {
                throw ArgumentCheck.usageError(
                    "\(argument): workload \(PlainName.escaped(name)) has a spec but no implementation (implemented: \(WorkloadRegistry.names.joined(separator: ", ")))")
            }
        }
    }

    /// Lists the trials without a usable result and throws the failed-trials exit status.
    static func reportFailures(_ failures: [SuiteRunner.TrialFailure]) throws {
        guard !failures.isEmpty else { return }
        var text = "error: \(failures.count) trial(s) have no usable result (rerunning the same command retries crashed and unwritten ones):\n"
        for failure in failures { text += "  \(failure)\n" }
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(failedTrialsExitStatus)
    }

    /// Says the run was interrupted and exits with 128 + `signal`, merging nothing.
    static func exitInterrupted(by signal: Int32) -> Never {
        let names: [Int32: String] = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"]
        let text = "\nrun interrupted by \(names[signal] ?? "signal \(signal)"): trials in flight were stopped and not recorded; "
            + "nothing was merged, scored or plotted. Rerun the same command to resume.\n"
        FileHandle.standardError.write(Data(text.utf8))
        Foundation.exit(128 + signal)
    }

    static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}
