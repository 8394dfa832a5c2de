import ArgumentParser
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
        let loaded = try ResultsSource.load(path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            let provenance = try ResultsFile.read(path).provenance
            print("\(path): written \(provenance.created) by optbench \(provenance.toolVersion) (commit \(provenance.gitCommit))")
            print("  host \(provenance.host), \(provenance.cpu), \(provenance.cores) cores, \(provenance.blas) with \(provenance.blasThreads) thread(s), \(provenance.swiftVersion)")
        }
        for skipped in loaded.skipped { print("skipped \(skipped.path): \(skipped.reason)") }
        print("\(loaded.trials.count) trial(s)")
        let widths = [9, 22, 16, 6, 6, 17, 12, 12, 6]
        let header = ["ruleset", "workload", "submission", "study", "trial", "status", "to target", "best metric", "evals"]
        print(zip(header, widths).map { $0.leftAligned($1) }.joined() + "hyperparameters")
        for trial in loaded.trials {
            let time = TargetMeasure.time.toTarget(of: trial)
            let best = CalibrationProcedure.bestValidation(of: trial)
            let cells = [
                trial.key.ruleset, trial.key.workload, trial.key.submission, String(trial.key.study), String(trial.key.trial),
                trial.status.rawValue, time.isFinite ? String(format: "%.3f s", time) : "—", String(format: "%.5g", best),
                String(trial.evaluations.count),
            ]
            print(zip(cells, widths).map { $0.leftAligned($1) }.joined() + trial.hyperparameters.description)
            if !trial.message.isEmpty { print("    message: \(trial.message.split(separator: "\n").first ?? "")") }
        }
    }
}
