import Foundation
import Results

/// For one submission under external tuning: time to target against each tuned
/// hyperparameter, one panel per hyperparameter, colour by workload; trials that missed
/// are drawn as open circles along the top edge.
enum TuningScatterFigure {
    static func make(submission: String, trials: [TrialRecord]) -> Figure? {
        let names = tunedNames(trials)
        guard !names.isEmpty, !trials.isEmpty else { return nil }
        let name = Gnuplot.fileStem("tuning_\(submission)")
        let workloads = Set(trials.map(\.key.workload)).sorted()
        let times = trials.map { TargetMeasure.time.toTarget(of: $0) }
        let finite = times.filter { $0.isFinite && $0 > 0 }
        let top = (finite.max() ?? 1) * 2.5
        let bottom = (finite.min() ?? 1) / 2.5
        var data = DataTable(header: "\(names.joined(separator: " ")) time_to_target_s missed_marker; one block per workload")
        for (w, workload) in workloads.enumerated() {
            data.beginBlock(workload, isFirst: w == 0)
            for (trial, time) in zip(trials, times) where trial.key.workload == workload {
                let values = names.map { trial.hyperparameters[$0] ?? .nan }
                data.row(values + [time.isFinite ? time : .nan, time.isFinite ? .nan : top / 1.4])
            }
        }
        let columns = names.count
        let rows = Int((Double(columns) / 2).rounded(.up))
        var body = """
        set multiplot layout \(rows),\(min(columns, 2)) title \(Gnuplot.quoted("\(submission): time to target against each tuned hyperparameter (○ at top = missed)"))
        set logscale y
        set yrange [\(DataTable.format(bottom)):\(DataTable.format(top))]
        set grid
        set ylabel 'time to target (s, log)'
        set key outside right top vertical

        """
        for (c, hyperparameter) in names.enumerated() {
            let values = trials.compactMap { $0.hyperparameters[hyperparameter] }.filter { $0 > 0 }
            let logX = values.count == trials.count && (values.max() ?? 1) / max(values.min() ?? 1, 1e-300) > 30
            body += "set xlabel \(Gnuplot.quoted(hyperparameter + (logX ? " (log scale)" : "")))\n"
            body += logX ? "set logscale x\n" : "unset logscale x\n"
            let series = workloads.enumerated().flatMap { w, workload in
                [
                    "\(Gnuplot.quoted(name + ".dat")) index \(w) using \(c + 1):\(columns + 1) with points pointsize 1.2 \(Gnuplot.style(w)) pointtype 7 title \(c == 0 ? Gnuplot.quoted(workload) : "''")",
                    "\(Gnuplot.quoted(name + ".dat")) index \(w) using \(c + 1):\(columns + 2) with points pointsize 1.2 \(Gnuplot.style(w)) pointtype 6 notitle",
                ]
            }
            body += "plot " + series.joined(separator: ", \\\n     ") + "\n"
        }
        body += "unset multiplot"
        return Figure(name: name, dataFiles: ["\(name).dat": data.text], body: body, size: (1100, 380 * rows + 80))
    }

    /// Hyperparameters that take more than one value across the trials.
    static func tunedNames(_ trials: [TrialRecord]) -> [String] {
        let names = Set(trials.flatMap { $0.hyperparameters.values.keys }).sorted()
        return names.filter { name in Set(trials.map { $0.hyperparameters[name] ?? .nan }).count > 1 }
    }
}
