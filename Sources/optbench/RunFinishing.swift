import Foundation
import Harness
import Results

/// The end of a suite run, whatever ran its trials (`optbench run` locally, or the
/// finishing job of a Slurm submission): merge the plan's trial files into the results
/// file, score, print the scores, and plot.
enum RunFinishing {
    /// Merges `trialFiles` into `resultsPath`, scores and stores the scores there, prints
    /// them, and renders figures into `figuresDirectory` unless it is nil.
    static func mergeScoreAndPlot(
        _ trialFiles: [String], reader: IsolatedResultsReader, into resultsPath: String, figuresDirectory: String?
    ) throws {
        let report = try ResultsFile.merge(
            read: ResultsSource.readForMerge(trialFiles, reader: reader), into: resultsPath,
            provenance: ProvenanceCollector.current())
        for skipped in report.skipped { print("warning: not merged: \(skipped.path): \(skipped.reason)") }
        let merged = try ResultsFile.read(resultsPath)
        let boards = try ScoreReport.scoreAndStore(contents: merged, in: resultsPath)
        print(ScoreReport.text(boards))
        print("results: \(resultsPath)")
        if let figuresDirectory { render(trials: merged.trials, scoreboards: boards, into: figuresDirectory) }
    }

    private static func render(trials: [TrialRecord], scoreboards: [Scoreboard], into directory: String) {
        let figures = FigureSet.figures(trials: trials, scoreboards: scoreboards)
        do {
            try FigureSet.render(figures, into: directory)
            print("figures: \(directory)/ (\(figures.count) figures, PNG + SVG, with .gp scripts and .dat data)")
        } catch {
            print("warning: figures not rendered: \(error)")
        }
    }
}
