/// Time to target per workload and submission as grouped bars (log scale); a missed
/// target is drawn as a cross at the top of the axis.
enum TimeToTargetFigure {
    static func make(_ board: Scoreboard) -> Figure? {
        guard !board.workloads.isEmpty, !board.submissions.isEmpty else { return nil }
        let name = Gnuplot.fileStem("time_to_target_\(board.ruleset)")
        let count = Double(board.submissions.count)
        let width = 0.8 / count
        let finite = board.gatedValues.flatMap { $0 }.filter { $0.isFinite && $0 > 0 }
        let top = (finite.max() ?? 1) * 3
        let bottom = (finite.min() ?? 1) / 3
        var data = DataTable(header: "x value_s missed_marker; one block per submission")
        var series: [String] = []
        for (s, submission) in board.submissions.enumerated() {
            data.beginBlock(submission, isFirst: s == 0)
            for w in board.workloads.indices {
                let x = Double(w) + (Double(s) - (count - 1) / 2) * width
                let value = board.gatedValues[s][w]
                data.row([x, value.isFinite ? value : .nan, value.isFinite ? .nan : top / 1.5])
            }
            series.append("\(Gnuplot.quoted(name + ".dat")) index \(s) using 1:2 with boxes fill solid 0.85 border rgb '#333333' \(Gnuplot.style(s)) title \(Gnuplot.quoted(submission))")
            series.append("\(Gnuplot.quoted(name + ".dat")) index \(s) using 1:3 with points pointtype 2 pointsize 1.6 linewidth 2 \(Gnuplot.style(s)) notitle")
        }
        let tics = board.workloads.enumerated().map { "\(Gnuplot.quoted($1)) \($0)" }.joined(separator: ", ")
        let body = """
        set title \(Gnuplot.quoted("Time to target — \(board.ruleset) ruleset (median over studies of the fastest trial; × = missed)"))
        set ylabel 'submission time to target (s, log scale)'
        set logscale y
        set yrange [\(DataTable.format(bottom)):\(DataTable.format(top))]
        set xrange [-0.6:\(Double(board.workloads.count) - 0.4)]
        set boxwidth \(width * 0.95) absolute
        set xtics (\(tics)) rotate by -20
        set grid ytics
        set key outside right top vertical
        plot \(series.joined(separator: ", \\\n     "))
        """
        return Figure(name: name, dataFiles: ["\(name).dat": data.text], body: body, size: (1100, 600))
    }
}
