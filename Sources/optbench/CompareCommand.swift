import ArgumentParser
import Core
import Harness

/// `optbench compare`: the spread between repeated runs of one profile — each
/// submission's score in every run, the largest difference and the ranks — so a user can
/// see on their own machine how far a rerun moves the verdict.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the scores of repeated runs of one profile (results files or folders): per-run scores, largest difference, ranks.")

    @Argument(help: "Two or more results files or folders of trial files, one per run.") var paths: [String]

    mutating func validate() throws {
        guard paths.count >= 2 else { throw ValidationError("compare needs at least two runs; got \(paths.count)") }
        for path in paths { try ArgumentCheck.existingFileOrFolder(path, argument: "<paths>") }
    }

    mutating func run() throws {
        var runs: [[Scoreboard]] = []
        for (index, path) in paths.enumerated() {
            let loaded = try ResultsSource.load(path, reader: ThisExecutable.resultsReader)
            for skipped in loaded.skipped { print("skipped \(skipped.path): \(skipped.reason)") }
            guard !loaded.trials.isEmpty else { throw ValidationError("\(PlainName.escaped(path)) holds no trials") }
            print("run \(index + 1): \(PlainName.escaped(path)), \(loaded.trials.count) trials")
            // Only the time boards are compared: build those alone, one per ruleset.
            runs.append(Set(loaded.trials.map(\.key.ruleset)).sorted().map {
                Scoreboard(trials: loaded.trials, ruleset: $0, measure: .time)
            })
        }
        let rulesets = runs.dropFirst().reduce(Set(runs[0].map(\.ruleset))) { $0.intersection($1.map(\.ruleset)) }
        guard !rulesets.isEmpty else { throw ValidationError("the runs share no ruleset; compare runs of one profile") }
        for ruleset in rulesets.sorted() {
            let boards = runs.compactMap { $0.first { $0.ruleset == ruleset } }
            do {
                print("\n" + (try ScoreSpread(runs: boards, labels: paths).formattedTable()))
            } catch let error as InputError {
                throw ValidationError("\(error)")
            }
        }
    }
}
