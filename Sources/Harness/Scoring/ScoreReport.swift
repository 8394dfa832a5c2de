import Results

/// The scoreboards of a set of trials — every ruleset present × every measure — and their
/// printed form.
public enum ScoreReport {
    /// Scoreboards for each ruleset in `trials` (sorted) and each measure, under `rules`;
    /// no oracle-call board for a ruleset with trials that did not record oracle calls
    /// (imported from AlgoPerf), rather than one calling them all misses.
    public static func scoreboards(trials: [TrialRecord], bootstrapSamples: Int = 1000, rules: ScoringRules = .optbench) -> [Scoreboard] {
        Set(trials.map(\.key.ruleset)).sorted().flatMap { ruleset in
            let own = trials.filter { $0.key.ruleset == ruleset }
            let counted = own.allSatisfy { $0.evaluations.allSatisfy { $0.oracleCalls != nil } }
            return TargetMeasure.allCases.filter { counted || $0 != .oracleCalls }.map {
                Scoreboard(trials: trials, ruleset: ruleset, measure: $0, bootstrapSamples: bootstrapSamples, rules: rules)
            }
        }
    }

    /// The time tables (and, with `allMeasures`, steps and oracle calls too), with a note
    /// on how to read them.
    public static func text(_ boards: [Scoreboard], allMeasures: Bool = false) -> String {
        let shown = boards.filter { allMeasures || $0.measure == .time }
        let tables = shown.map { $0.formattedTable() }.joined(separator: "\n\n")
        switch shown.first?.rules ?? .optbench {
        case .optbench:
            return tables + "\n\nscore: area under the performance profile on τ ∈ [1, 4] ÷ 3 (1 = fastest on every workload);"
                + " cells: median over studies of the fastest trial, ∞ = target missed."
        case .algoPerf06(let count):
            return tables + "\n\nrules algoperf-0.6: score = trapezoid area under ρ on 100 points of τ ∈ [1, 4] ÷ 3, ρ counted over"
                + " \(count) workloads; cells: median over the studies present of the trial reaching the target at the earliest"
                + " evaluation, ∞ = target missed; held-out variants ignored."
        }
    }
}
