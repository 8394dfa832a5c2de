import ArgumentParser
import Core
import Foundation
import Harness
import Results

/// `optbench show`: a readable summary of a results file or a folder of trial files.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a readable summary of a results file (or a folder of trial files).")

    @Argument(help: "Results file or folder.") var path: String

    mutating func validate() throws {
        try ArgumentCheck.existingFileOrFolder(path, argument: "<path>")
    }

    mutating func run() throws {
        let loaded = try ResultsSource.load(path, reader: ThisExecutable.resultsReader)
        if let provenance = loaded.contents?.provenance {
            // Free text from the file: shown escaped, so it cannot forge lines or send
            // terminal control sequences.
            let text = PlainName.escaped
            print("\(path): written \(text(provenance.created)) by optbench \(text(provenance.toolVersion)) (commit \(text(provenance.gitCommit)))")
            print("  host \(text(provenance.host)), \(text(provenance.cpu)), \(provenance.cores) cores, \(text(provenance.blas)) with \(provenance.blasThreads) thread(s), \(text(provenance.swiftVersion))")
        }
        for skipped in loaded.skipped { print("skipped \(skipped.path): \(skipped.reason)") }
        print("\(loaded.trials.count) trial(s)")
        let widths = [9, 22, 16, 6, 6, 17, 12, 9, 12, 6, 10]
        let header = [
            "ruleset", "workload", "submission", "study", "trial", "status", "to target", "within", "best metric", "evals",
            "off clock",
        ]
        print(zip(header, widths).map { $0.leftAligned($1) }.joined() + "hyperparameters")
        let timings = loaded.trials.map(TrialTiming.init(of:))
        for (trial, timing) in zip(loaded.trials, timings) {
            let best = CalibrationProcedure.bestValidation(of: trial)
            let cells = [
                trial.key.ruleset, trial.key.workload, trial.key.submission, String(trial.key.study), String(trial.key.trial),
                trial.status.rawValue, timing.timeToTarget.map { String(format: "%.3f s", $0) } ?? "—",
                timing.relativeUncertainty.map { String(format: "-%.1f%%", 100 * $0) } ?? "—", String(format: "%.5g", best),
                String(trial.evaluations.count), Self.share(timing.offClock, of: timing.wallTime),
            ]
            print(zip(cells, widths).map { $0.leftAligned($1) }.joined() + trial.hyperparameters.description)
            if !trial.message.isEmpty { print("    message: \(PlainName.escaped(String(trial.message.split(separator: "\n").first ?? "")))") }
        }
        let offClock = timings.map(\.offClock).reduce(0, +), wall = timings.map(\.wallTime).reduce(0, +)
        print("\"within\": the target may have been crossed up to this much earlier (the gap to the row before); \"off clock\": share of a trial's wall time outside submission time (evaluations, initialisation). All trials: \(Self.share(offClock, of: wall)) of \(String(format: "%.1f", wall)) s off clock.")
    }

    /// `part` as a percentage of `whole`, or "—" when `whole` is 0.
    static func share(_ part: Double, of whole: Double) -> String {
        whole > 0 ? String(format: "%.1f%%", 100 * part / whole) : "—"
    }
}
