import ArgumentParser
import Core
import Harness

/// `optbench score`: performance profiles and benchmark scores from stored results.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score stored results (time, steps and oracle calls to target) and store the scores in the results file.")

    @Argument(help: "Results file (scores are written into it) or folder of trial files.") var path: String
    @Option(help: "Scoring rules: optbench (this project's, the default) or algoperf-0.6 (AlgoPerf v0.6's scoring code; see the README's rules table).")
    var rules = "optbench"
    @Option(parsing: .unconditional, help: "ρ's fixed denominator under --rules algoperf-0.6 (default: AlgoPerf v0.6's 8 base workloads).")
    var workloadCount: Int?

    mutating func validate() throws {
        try ArgumentCheck.existingFileOrFolder(path, argument: "<path>")
        _ = try scoringRules()
    }

    mutating func run() throws {
        let rules = try scoringRules()
        let loaded = try ResultsSource.load(path, reader: ThisExecutable.resultsReader)
        for skipped in loaded.skipped { print("skipped \(skipped.path): \(skipped.reason)") }
        guard !loaded.trials.isEmpty else { throw ValidationError("\(path) holds no trials") }
        let boards = try loaded.contents.map { try ScoreReport.scoreAndStore(contents: $0, in: path, rules: rules) }
            ?? ScoreReport.scoreboards(trials: loaded.trials, rules: rules)
        print(ScoreReport.text(boards, allMeasures: true))
    }

    private func scoringRules() throws -> ScoringRules {
        do {
            return try ScoringRules.named(rules, workloadCount: workloadCount)
        } catch let error as InputError {
            throw ValidationError("\(error)")
        }
    }
}
