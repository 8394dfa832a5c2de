import ArgumentParser
import Core
import Harness

/// `optbench export algoperf RESULTS DIR`: trials in the layout AlgoPerf's scoring reads.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export results in another benchmark's layout.",
        subcommands: [ExportAlgoPerf.self])
}

/// `optbench export algoperf RESULTS DIR` (see `AlgoPerfExport`).
struct ExportAlgoPerf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "algoperf",
        abstract: "Write results as AlgoPerf's experiment folders: DIR/<ruleset>/<submission>/study_<k>/<workload>_jax/trial_<i>/.")

    @Argument(help: "Results file or folder of trial files.") var results: String
    @Argument(help: "Folder to write into (new or empty).") var directory: String

    mutating func validate() throws {
        try ArgumentCheck.existingFileOrFolder(results, argument: "<results>")
        guard !directory.isEmpty else { throw ValidationError("<directory> must be a folder path, got an empty string") }
    }

    mutating func run() throws {
        let loaded = try ResultsSource.load(results, reader: ThisExecutable.resultsReader)
        for skipped in loaded.skipped { print("skipped \(skipped.path): \(skipped.reason)") }
        guard !loaded.trials.isEmpty else { throw ValidationError("\(results) holds no trials") }
        let files = try AlgoPerfExport.write(loaded.trials, to: directory)
        let rulesets = Set(loaded.trials.map(\.key.ruleset)).sorted()
        print("exported \(loaded.trials.count) trials (\(files.count) files) to \(directory); trials numbered from 1 as AlgoPerf numbers them")
        for ruleset in rulesets {
            print("AlgoPerf: python score_submissions.py --submission_directory \(directory)/\(ruleset) --compute_performance_profiles"
                  + (ruleset == "self" ? " --self_tuning_ruleset" : ""))
        }
        print("(AlgoPerf's scoring looks up targets in its own workload registry: workloads it does not know need their"
              + " targets from meta_data_0.json.)")
    }
}
