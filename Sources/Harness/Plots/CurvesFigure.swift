import Results

/// Validation metric against submission time on one workload: the best trial of each
/// submission (fastest to target; otherwise best final metric), with the target drawn.
enum CurvesFigure {
    static func make(workload: String, trials: [TrialRecord]) -> Figure? {
        guard let record = trials.first?.workload else { return nil }
        let name = Gnuplot.fileStem("curves_\(workload)")
        let bySubmission = Dictionary(grouping: trials, by: \.key.submission)
        let submissions = bySubmission.keys.sorted()
        var data = DataTable(header: "submission_time_s validation_metric; one block per submission (its best trial)")
        var series: [String] = []
        var positives = true
        var metrics: [Double] = []
        for (position, submission) in submissions.enumerated() {
            guard let best = bestTrial(bySubmission[submission] ?? []) else { continue }
            data.beginBlock("\(submission) study \(best.key.study) trial \(best.key.trial)", isFirst: series.isEmpty)
            for row in best.evaluations.sorted(by: { $0.submissionTime < $1.submissionTime }) {
                data.row([row.submissionTime, row.validationMetric])
                if row.validationMetric.isFinite {
                    metrics.append(row.validationMetric)
                    positives = positives && row.validationMetric > 0
                }
            }
            series.append(
                "\(Gnuplot.quoted(name + ".dat")) index \(series.count) using 1:2 with linespoints linewidth 2 pointsize 0.6 \(Gnuplot.style(position)) pointtype \(Gnuplot.pointType(position)) title \(Gnuplot.quoted(submission))")
        }
        guard !series.isEmpty else { return nil }
        let target = record.validationTarget
        let spread = (metrics.max() ?? 1) / max(metrics.min() ?? 1, 1e-300)
        let logY = record.direction == .minimize && positives && target > 0 && spread > 20
        let body = """
        set title \(Gnuplot.quoted("\(workload): validation \(record.metric) of each submission's best trial"))
        set xlabel 'submission time (s)'
        set ylabel \(Gnuplot.quoted("validation \(record.metric)\(logY ? " (log scale)" : "")"))
        \(logY ? "set logscale y" : "unset logscale y")
        set grid
        set key outside right top vertical
        set arrow 1 from graph 0, first \(DataTable.format(target)) to graph 1, first \(DataTable.format(target)) nohead dashtype 2 linewidth 1.5 linecolor rgb '#555555'
        set label 1 \(Gnuplot.quoted("target \(Scoreboard.format(target))")) at graph 0.01, first \(DataTable.format(target)) offset 0,0.6 textcolor rgb '#555555'
        plot \(series.joined(separator: ", \\\n     "))
        """
        return Figure(name: name, dataFiles: ["\(name).dat": data.text], body: body, size: (1000, 600))
    }

    /// Fastest to target; among trials that missed, the best last validation metric.
    static func bestTrial(_ trials: [TrialRecord]) -> TrialRecord? {
        let withEvals = trials.filter { !$0.evaluations.isEmpty }
        let reached = withEvals.filter { TargetMeasure.time.toTarget(of: $0).isFinite }
        if let fastest = reached.min(by: { TargetMeasure.time.toTarget(of: $0) < TargetMeasure.time.toTarget(of: $1) }) {
            return fastest
        }
        return withEvals.min { a, b in
            let x = a.evaluations.last?.validationMetric ?? .nan, y = b.evaluations.last?.validationMetric ?? .nan
            return a.workload.direction.isBetter(x, than: y)
        }
    }
}
