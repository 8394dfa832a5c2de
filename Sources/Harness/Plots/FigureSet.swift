import Foundation
import Results
import Workloads

/// Every figure of a results set, built from trial records alone (no training): the
/// performance profiles per ruleset and measure, validation curves per workload,
/// time-to-target bars, tuning scatters for external tuning, state memory against
/// time to target, and for bilevel workloads median curves with 20–80% bands over seeds
/// against submission time and against oracle calls.
public enum FigureSet {
    /// The figures for `trials`, with `scoreboards` already computed from them.
    public static func figures(trials: [TrialRecord], scoreboards: [Scoreboard]) -> [Figure] {
        var figures = scoreboards.map(ProfileFigure.make)
        for board in scoreboards where board.measure == .time {
            figures += [TimeToTargetFigure.make(board), MemoryFigure.make(board, trials: trials)].compactMap { $0 }
        }
        let byWorkload = Dictionary(grouping: trials, by: \.key.workload)
        figures += byWorkload.keys.sorted().compactMap { CurvesFigure.make(workload: $0, trials: byWorkload[$0] ?? []) }
        let bilevel = byWorkload.keys.sorted().filter { name in
            WorkloadRegistry.bilevelNames.contains(byWorkload[name]?.first?.workload.variantOf ?? name)
        }
        for workload in bilevel {
            figures += [BandFigure.Axis.time, .calls].compactMap { BandFigure.make(workload: workload, trials: byWorkload[workload] ?? [], axis: $0) }
        }
        let external = trials.filter { $0.key.ruleset == "external" }
        let bySubmission = Dictionary(grouping: external, by: \.key.submission)
        figures += bySubmission.keys.sorted().compactMap { TuningScatterFigure.make(submission: $0, trials: bySubmission[$0] ?? []) }
        return figures
    }

    /// Writes every figure's script and data into `directory` and renders it with
    /// gnuplot; returns the PNG paths. Without gnuplot the scripts are still written and
    /// `PlotError.gnuplotMissing` is thrown.
    @discardableResult
    public static func render(_ figures: [Figure], into directory: String) throws -> [String] {
        for figure in figures { try figure.write(to: directory) }
        var images: [String] = []
        for figure in figures {
            try Gnuplot.render(figure, in: directory)
            images.append((directory as NSString).appendingPathComponent("\(figure.name).png"))
        }
        return images
    }
}
