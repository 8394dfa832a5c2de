import Results

/// Scores stored in a results file under `/scores/<ruleset>/<measure>`, so plots and
/// readers get them without recomputing:
///
/// - attributes `r_max`, `studies`, `bootstrap_samples`, `rules` (`optbench` or
///   `algoperf-0.6`) and `workload_count` (ρ's denominator);
/// - datasets `submissions`, `workloads` (strings), `score`, `interval_low`,
///   `interval_high` (one per submission), `to_target` (submissions × workloads, row-major,
///   after held-out gating; `inf` = missed), `tau` and `rho` (submissions × τ grid, row-major).
public enum ScoreStore {
    /// Points of the stored ρ(τ) grid.
    public static let tauPoints = 301

    /// Rewrites the results file at `path` from `contents` with every board under
    /// `/scores` (atomically, replacing earlier scores). The file is written anew from
    /// contents already read and validated, never opened for update, so a file from a
    /// stranger is parsed by libhdf5 only in an isolated reader.
    public static func write(_ boards: [Scoreboard], bootstrapSamples: Int, contents: ResultsContents, into path: String) throws {
        try ResultsFile.write(contents, to: path) { root in
            let scores = try root.createGroup(ResultsLayout.scoresGroup)
            for board in boards {
                let rulesetGroup = try scores.contains(board.ruleset) ? scores.openGroup(board.ruleset) : scores.createGroup(board.ruleset)
                let group = try rulesetGroup.createGroup(board.measure.rawValue)
                try group.setAttribute("r_max", board.profile.maximumRatio)
                try group.setAttribute("studies", board.studies.count)
                try group.setAttribute("bootstrap_samples", bootstrapSamples)
                try group.setAttribute("rules", board.rules.name)
                try group.setAttribute("workload_count", board.profile.denominator)
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
    /// Scores the trials of `contents` and stores the scores with them in the results
    /// file at `path` (rewritten whole, see `ScoreStore.write`).
    public static func scoreAndStore(
        contents: ResultsContents, in path: String, bootstrapSamples: Int = 1000, rules: ScoringRules = .optbench
    ) throws -> [Scoreboard] {
        let boards = scoreboards(trials: contents.trials, bootstrapSamples: bootstrapSamples, rules: rules)
        try ScoreStore.write(boards, bootstrapSamples: bootstrapSamples, contents: contents, into: path)
        return boards
    }
}
