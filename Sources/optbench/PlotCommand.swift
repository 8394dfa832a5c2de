import ArgumentParser
import Foundation
import Harness

/// `optbench plot`: every figure from stored results, without training.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Render figures (gnuplot PNG + SVG, with scripts and data) from stored results.")

    @Argument(help: "Results file or folder of trial files.") var path: String
    @Option(name: .shortAndLong, help: "Figure folder (default: plots/<results file name>).") var output: String?

    mutating func validate() throws {
        try ArgumentCheck.existingFileOrFolder(path, argument: "<path>")
        if let output {
            try ArgumentCheck.folderToWrite(output, argument: "--output")
        } else {
            // The default folder is named after the results: that name must be plain.
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            try ArgumentCheck.plainName(name, argument: "<path>'s name (or give --output)")
        }
    }

    mutating func run() throws {
        let loaded = try ResultsSource.load(path, reader: ThisExecutable.resultsReader)
        for skipped in loaded.skipped { print("skipped \(skipped.path): \(skipped.reason)") }
        guard !loaded.trials.isEmpty else { throw ValidationError("\(path) holds no trials") }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let directory = output ?? "plots/\(name)"
        let figures = FigureSet.figures(trials: loaded.trials, scoreboards: ScoreReport.scoreboards(trials: loaded.trials))
        try FigureSet.render(figures, into: directory)
        print("\(figures.count) figures in \(directory)/:")
        for figure in figures { print("  \(figure.name).png  .svg  .gp  .dat") }
    }
}
