import Results

/// Scores stored in a results file under `/scores/<ruleset>/<measure>`, so plots and
/// readers get them without recomputing:
///
/// - attributes `r_max`, `studies`, `bootstrap_samples`;
/// - datasets `submissions`, `workloads` (strings), `score`, `interval_low`,
///   `interval_high` (one per submission), `to_target` (submissions × workloads, row-major,
///   after held-out gating; `inf` = missed), `tau` and `rho` (submissions × τ grid, row-major).
public enum ScoreStore {
    /// Points of the stored ρ(τ) grid.
    public static let tauPoints = 301

    /// Writes every board into `path` (atomically, replacing earlier scores).
    public static func write(_ boards: [Scoreboard], bootstrapSamples: Int, into path: String) throws {
        try HDF5File.updateAtomically(at: path) { root in
            if try root.contains("scores") { try root.remove("scores") }
            let scores = try root.createGroup("scores")
            for board in boards {
                let rulesetGroup = try scores.contains(board.ruleset) ? scores.openGroup(board.ruleset) : scores.createGroup(board.ruleset)
                let group = try rulesetGroup.createGroup(board.measure.rawValue)
                try group.setAttribute("r_max", board.profile.maximumRatio)
                try group.setAttribute("studies", board.studies.count)
                try group.setAttribute("bootstrap_samples", bootstrapSamples)
                try group.writeDataset("submissions", board.submissions)
                try group.writeDataset("workloads", board.workloads)
                try group.writeDataset("score", board.scores)
                try group.writeDataset("interval_low", board.intervals.map(\.low))
                try group.writeDataset("interval_high", board.intervals.map(\.high))
                try group.writeDataset("to_target", board.gatedValues.flatMap { $0 })
                let curves = board.submissions.indices.map { board.profile.curve(submission: $0, points: tauPoints) }
                try group.writeDataset("tau", curves.first?.map(\.tau) ?? [])
                try group.writeDataset("rho", curves.flatMap { $0.map(\.rho) })
            }
        }
    }
}

extension ScoreReport {
    /// Scores `trials` and stores the scores in the results file at `path`.
    public static func scoreAndStore(trials: [TrialRecord], in path: String, bootstrapSamples: Int = 1000) throws -> [Scoreboard] {
        let boards = scoreboards(trials: trials, bootstrapSamples: bootstrapSamples)
        try ScoreStore.write(boards, bootstrapSamples: bootstrapSamples, into: path)
        return boards
    }
}
