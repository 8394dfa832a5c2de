import Results

/// Optimizer-state memory against time to target, one point per (submission, workload):
/// what a method's speed costs in memory.
enum MemoryFigure {
    static func make(_ board: Scoreboard, trials: [TrialRecord]) -> Figure? {
        guard !board.workloads.isEmpty else { return nil }
        let name = Gnuplot.fileStem("memory_vs_time_\(board.ruleset)")
        var data = DataTable(header: "state_MiB time_to_target_s; one block per submission, one row per base workload")
        var series: [String] = []
        var any = false
        for (s, submission) in board.submissions.enumerated() {
            data.beginBlock(submission, isFirst: s == 0)
            for (w, workload) in board.workloads.enumerated() {
                let own = trials.filter { $0.key.submission == submission && $0.key.workload == workload }
                guard let bytes = own.compactMap(\.stateBytes).max() else { continue }
                let value = board.gatedValues[s][w]
                data.row([Double(bytes) / 1_048_576, value])
                any = any || value.isFinite
            }
            series.append("\(Gnuplot.quoted(name + ".dat")) index \(s) using 1:2 with points pointsize 1.5 \(Gnuplot.style(s)) pointtype \(Gnuplot.pointType(s)) title \(Gnuplot.quoted(submission))")
        }
        guard any else { return nil }
        let body = """
        set title \(Gnuplot.quoted("Optimizer state against time to target — \(board.ruleset) ruleset (one point per workload)"))
        set xlabel 'optimizer state (MiB)'
        set ylabel 'time to target (s, log scale)'
        set logscale y
        set grid
        set key outside right top vertical
        plot \(series.joined(separator: ", \\\n     "))
        """
        return Figure(name: name, dataFiles: ["\(name).dat": data.text], body: body, size: (1000, 600))
    }
}
