import Results

/// The validation metric of each submission on one workload as a median curve with its
/// 20–80% band over seeds (one curve per study: the study's best trial), against
/// submission time or against oracle calls — the bilevel track's figures, where
/// solvers are compared per oracle call as well as per second.
enum BandFigure {
    /// The horizontal axis.
    enum Axis: String {
        case time, calls

        var label: String { self == .time ? "submission time (s)" : "oracle calls (gradients + Hessian-vector and cross products + function values)" }

        func value(_ row: EvaluationRow) -> Double {
            switch self {
            case .time: row.submissionTime
            case .calls: row.oracleCalls.map(Double.init) ?? .nan
            }
        }
    }

    /// Points on the horizontal axis at which the curves are sampled.
    static let gridPoints = 60

    static func make(workload: String, trials: [TrialRecord], axis: Axis) -> Figure? {
        guard let record = trials.first?.workload else { return nil }
        let name = Gnuplot.fileStem("band_\(axis.rawValue)_\(workload)")
        let bySubmission = Dictionary(grouping: trials, by: \.key.submission)
        var data = DataTable(header: "\(axis.rawValue) median q20 q80; one block per submission (curves: the best trial of each study)")
        var series: [String] = []
        for (position, submission) in bySubmission.keys.sorted().enumerated() {
            let byStudy = Dictionary(grouping: bySubmission[submission] ?? [], by: \.key.study)
            let curves = byStudy.keys.sorted().compactMap { CurvesFigure.bestTrial(byStudy[$0] ?? []) }.map { trial in
                trial.evaluations.map { (axis.value($0), $0.validationMetric) }.sorted { $0.0 < $1.0 }
            }.filter { !$0.isEmpty }
            guard let end = curves.compactMap({ $0.last?.0 }).max(), end > 0 else { continue }
            data.beginBlock("\(submission) (\(curves.count) seeds)", isFirst: series.isEmpty)
            for k in 0...gridPoints {
                let at = end * Double(k) / Double(gridPoints)
                let values = curves.compactMap { value(of: $0, at: at) }.sorted()
                guard !values.isEmpty else { continue }
                data.row([at, Scoreboard.percentile(values, 0.5), Scoreboard.percentile(values, 0.2), Scoreboard.percentile(values, 0.8)])
            }
            let block = series.count / 2
            series.append("\(Gnuplot.quoted(name + ".dat")) index \(block) using 1:3:4 with filledcurves fillstyle transparent solid 0.2 noborder \(Gnuplot.style(position)) notitle")
            series.append("\(Gnuplot.quoted(name + ".dat")) index \(block) using 1:2 with lines linewidth 2 \(Gnuplot.style(position)) title \(Gnuplot.quoted(submission))")
        }
        guard !series.isEmpty else { return nil }
        let target = record.validationTarget
        let body = """
        set title \(Gnuplot.quoted("\(workload): validation \(record.metric), median and 20–80% band over seeds"))
        set xlabel \(Gnuplot.quoted(axis.label))
        set ylabel \(Gnuplot.quoted("validation \(record.metric)"))
        set grid
        set key outside right top vertical
        set arrow 1 from graph 0, first \(DataTable.format(target)) to graph 1, first \(DataTable.format(target)) nohead dashtype 2 linewidth 1.5 linecolor rgb '#555555'
        plot \(series.joined(separator: ", \\\n     "))
        """
        return Figure(name: name, dataFiles: ["\(name).dat": data.text], body: body, size: (1000, 600))
    }

    /// The curve's value at `x`: its last evaluation at or before `x` (nil before the first
    /// evaluation and after the last, where the run had stopped).
    static func value(of curve: [(Double, Double)], at x: Double) -> Double? {
        guard let last = curve.last, x <= last.0 else { return nil }
        return curve.last { $0.0 <= x }?.1
    }
}
