import ArgumentParser
import Harness

/// `optbench score`: performance profiles and benchmark scores from stored results.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score stored results (time, steps and oracle calls to target) and store the scores in the results file.")

    @Argument(help: "Results file (scores are written into it) or folder of trial files.") var path: String

    mutating func validate() throws {
        try ArgumentCheck.existingFileOrFolder(path, argument: "<path>")
    }

    mutating func run() throws {
        let loaded = try ResultsSource.load(path, reader: ThisExecutable.resultsReader)
        for skipped in loaded.skipped { print("skipped \(skipped.path): \(skipped.reason)") }
        guard !loaded.trials.isEmpty else { throw ValidationError("\(path) holds no trials") }
        let boards = try loaded.contents.map { try ScoreReport.scoreAndStore(contents: $0, in: path) }
            ?? ScoreReport.scoreboards(trials: loaded.trials)
        print(ScoreReport.text(boards, allMeasures: true))
    }
}
