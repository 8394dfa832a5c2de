/// The performance profiles ρ_s(τ) of every submission, with scores in the legend.
enum ProfileFigure {
    static func make(_ board: Scoreboard) -> Figure {
        let name = Gnuplot.fileStem("performance_profile_\(board.ruleset)_\(board.measure.rawValue)")
        var data = DataTable(header: "tau rho; one block per submission, in legend order")
        let order = board.submissions.indices.sorted { board.scores[$0] > board.scores[$1] }
        for (position, s) in order.enumerated() {
            data.beginBlock(board.submissions[s], isFirst: position == 0)
            for point in board.profile.curve(submission: s, points: 601) { data.row([point.tau, point.rho]) }
        }
        let series = order.enumerated().map { position, s in
            let label = "\(board.submissions[s]) (score \(Scoreboard.format(board.scores[s])))"
            return "\(Gnuplot.quoted(name + ".dat")) index \(position) using 1:2 with steps linewidth 2 \(Gnuplot.style(position)) title \(Gnuplot.quoted(label))"
        }
        let body = """
        set title \(Gnuplot.quoted("Performance profiles — \(board.ruleset) ruleset, \(board.measure.rawValue) to target, \(board.workloads.count) workloads"))
        set xlabel 'τ (ratio to the fastest submission on each workload)'
        set ylabel 'fraction of workloads within τ'
        set xrange [1:\(board.profile.maximumRatio)]
        set yrange [0:1.05]
        set grid
        set key outside right top vertical
        plot \(series.isEmpty ? "NaN notitle" : series.joined(separator: ", \\\n     "))
        """
        return Figure(name: name, dataFiles: ["\(name).dat": data.text], body: body, size: (1000, 600))
    }
}
