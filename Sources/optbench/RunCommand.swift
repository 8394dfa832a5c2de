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
/// Rerunning the same command resumes: complete trials are skipped.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run workloads × submissions under a ruleset and profile, then merge, score and plot.")

    @Option(help: "Profile from <workloads-dir>/profiles.json (smoke, quick, full).") var profile = "quick"
    @Option(help: "Ruleset: external or self (default: the profile's).") var ruleset: String?
    @Option(help: "Comma-separated submissions (default: the profile's).") var submissions: String?
    @Option(help: "Comma-separated workloads or variants (default: the profile's).") var workloads: String?
    @Option(help: "Trial processes at once.") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "OpenBLAS threads per trial process.") var threads = 1
    @Option(help: "Suite seed: every trial seed and tuning draw derives from it.") var seed = 0
    @Option(name: .customLong("run"), help: "Run name (default: the profile's name): results/<run>.h5 and plots/<run>/.")
    var runName: String?
    @Option(help: "Folder of workload specs and profiles.json.") var workloadsDir = "workloads"
    @Option(help: "Folder for results files.") var resultsDir = "results"
    @Option(help: "Folder for figure folders.") var plotsDir = "plots"
    @Flag(help: "Skip rendering figures.") var noPlots = false

    mutating func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let name = runName, name.isEmpty || name.contains("/") {
            throw ValidationError("--run must be a plain name without '/', got '\(name)'")
        }
    }

    mutating func run() throws {
        let catalog = try SpecCatalog(directory: workloadsDir)
        let chosen = try Profile.load(named: profile, contentsOf: "\(workloadsDir)/profiles.json")
        let rules = try ruleset.map(Ruleset.named) ?? chosen.ruleset
        let submissionNames = Self.list(submissions) ?? (chosen.submissions.isEmpty ? SubmissionRegistry.names : chosen.submissions)
        // A profile without a workload list means every workload that has both a spec and an implementation.
        let implemented = catalog.baseNames.filter(WorkloadRegistry.names.contains)
        let workloadNames = Self.list(workloads) ?? (chosen.workloads.isEmpty ? implemented : chosen.workloads)
        for name in workloadNames {
            let spec = try catalog.spec(named: name)
            guard WorkloadRegistry.names.contains(spec.baseName) else {
                throw ValidationError("workload '\(name)' has a spec but no implementation (implemented: \(WorkloadRegistry.names.joined(separator: ", ")))")
            }
        }
        var plannedProfile = chosen
        plannedProfile.workloads = workloadNames
        let jobList = try TrialPlan.jobs(
            catalog: catalog, profile: plannedProfile, ruleset: rules, submissionNames: submissionNames,
            workloadNames: Self.list(workloads), suiteSeed: seed)
        let runName = self.runName ?? chosen.name
        let trialsDirectory = "\(resultsDir)/runs/\(runName)/trials"
        print("run \(runName): profile \(chosen.name), ruleset \(rules.rawValue), \(jobList.count) trials "
              + "(\(Set(jobList.map(\.spec.name)).count) workloads × \(submissionNames.count) submissions), "
              + "\(jobs) at a time, \(threads) BLAS thread(s) each")
        let runner = SuiteRunner(
            executable: Self.executablePath(), workloadsDirectory: workloadsDir, trialsDirectory: trialsDirectory,
            jobs: jobs, threadsPerTrial: threads)
        let progress = ProgressReporter(total: jobList.count, live: isatty(STDOUT_FILENO) == 1)
        let summary = try runner.run(jobList, progress: progress)
        progress.close()
        print("trials: \(summary.ran) run, \(summary.skipped) already complete, \(summary.crashed) crashed")

        let resultsPath = "\(resultsDir)/\(runName).h5"
        let report = try ResultsFile.merge(summary.trialFiles, into: resultsPath, provenance: ProvenanceCollector.current())
        for skipped in report.skipped { print("warning: not merged: \(skipped.path): \(skipped.reason)") }
        let merged = try ResultsFile.read(resultsPath)
        let trials = merged.trials
        let boards = try ScoreReport.scoreAndStore(contents: merged, in: resultsPath)
        print(ScoreReport.text(boards))
        print("results: \(resultsPath)")
        if !noPlots {
            let directory = "\(plotsDir)/\(runName)"
            let figures = FigureSet.figures(trials: trials, scoreboards: boards)
            do {
                try FigureSet.render(figures, into: directory)
                print("figures: \(directory)/ (\(figures.count) figures, PNG + SVG, with .gp scripts and .dat data)")
            } catch {
                print("warning: figures not rendered: \(error)")
            }
        }
    }

    static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// This executable's path, for starting trial processes.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
