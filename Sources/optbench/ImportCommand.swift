import ArgumentParser
import Core
import Foundation
import Harness
import Results

/// `optbench import algoperf LOGDIR`: AlgoPerf's experiment folders into a results file.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import results from another benchmark into a results file.",
        subcommands: [ImportAlgoPerf.self])
}

/// `optbench import algoperf LOGDIR`: AlgoPerf's `study_<k>/<workload>_<framework>/trial_<i>/`
/// folders (measurement logs or `eval_measurements.csv`, `hparams.json`,
/// `meta_data_0.json`) into this project's HDF5 layout, judged against AlgoPerf v0.6's
/// workload targets (`AlgoPerfWorkloads`).
struct ImportAlgoPerf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "algoperf",
        abstract: "Import AlgoPerf's experiment folders (LOGDIR/<submission>/study_<k>/<workload>_<framework>/trial_<i>/) into a results file.")

    @Argument(help: "A folder of submission folders, or one submission's folder of study_<k> folders.") var logdir: String
    @Option(help: "Results file to write (default: <results-dir>/<LOGDIR's name>.h5).") var output: String?
    @Option(help: "Folder for the default output.") var resultsDir = "results"
    @Option(help: "Ruleset the trials are filed under: external or self (AlgoPerf's --self_tuning_ruleset scores a whole folder as one).")
    var ruleset = "external"
    @Option(help: "Submission name for a single-submission LOGDIR (default: the folder's name).") var submission: String?

    mutating func validate() throws {
        guard FileAccess.kind(of: logdir) == .folder else {
            throw ValidationError("<logdir> must be a folder: \(PlainName.escaped(logdir))")
        }
        _ = try Self.parsedRuleset(ruleset)
        if let submission { try ArgumentCheck.plainName(submission, argument: "--submission") }
        if let output, output.isEmpty { throw ValidationError("--output must be a file path, got an empty string") }
    }

    mutating func run() throws {
        let imported = try AlgoPerfImport.trials(in: logdir, ruleset: Self.parsedRuleset(ruleset).rawValue, submission: submission)
        for note in imported.notes { print("note: \(note)") }
        let path = try outputPath()
        let contents = try ResultsContents(provenance: ProvenanceCollector.current(), trials: imported.trials)
        try ResultsFile.write(contents, to: path)
        let studies = Set(imported.trials.map { "\($0.key.submission)/\($0.key.workload)/\($0.key.study)" }).count
        print("imported \(imported.trials.count) trials (\(studies) studies, \(contents.workloads.count) workloads) judged against "
              + "\(AlgoPerfWorkloads.source); example and oracle counts and memory are absent (AlgoPerf records none)")
        print("results: \(path) (score it with: optbench score \(path) --rules algoperf-0.6)")
    }

    static func parsedRuleset(_ name: String) throws -> Ruleset {
        do {
            return try Ruleset.named(name)
        } catch let error as RulesetError {
            throw ValidationError("--ruleset: \(error)")
        }
    }

    private func outputPath() throws -> String {
        if let output { return output }
        let name = URL(fileURLWithPath: logdir).standardized.lastPathComponent
        guard PlainName.isValid(name) else {
            throw ValidationError("LOGDIR's name \(PlainName.escaped(name)) is not a plain name; give --output")
        }
        return "\(resultsDir)/\(name).h5"
    }
}
