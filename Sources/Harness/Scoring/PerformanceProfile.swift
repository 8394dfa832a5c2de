/// AlgoPerf performance profiles over a table of per-workload values (smaller is better;
/// `.infinity` marks a miss).
///
/// For each workload the ratio of a submission's value to the best submission's value;
/// ratios above `maximumRatio` (r_max = 4) become infinite. ρ_s(τ) is the share of
/// workloads with ratio ≤ τ, and the benchmark score is the area under ρ_s on
/// [1, r_max] divided by (r_max − 1), integrated exactly (ρ is a step function). A
/// workload every submission missed stays in the denominator and credits nobody.
/// `ScoringRules.algoPerf06` switches the cut, the denominator and the integration to
/// AlgoPerf's.
public struct PerformanceProfile: Sendable, Equatable {
    public static let defaultMaximumRatio = 4.0

    public let submissions: [String]
    public let workloads: [String]
    /// `ratios[s][w]`: value over the workload's best value (∞ for a miss or above r_max).
    public let ratios: [[Double]]
    public let maximumRatio: Double

    /// How the ratios were cut and how ρ is counted and integrated.
    public let rules: ScoringRules

    /// `values[s][w]` for submission `s` and workload `w`, under `rules` (see
    /// `ScoringRules`; AlgoPerf's rules always use r_max = 4's cut as given here).
    public init(
        submissions: [String], workloads: [String], values: [[Double]], maximumRatio: Double = defaultMaximumRatio,
        rules: ScoringRules = .optbench
    ) {
        precondition(values.count == submissions.count && values.allSatisfy { $0.count == workloads.count },
                     "PerformanceProfile: values must be \(submissions.count) × \(workloads.count)")
        precondition(maximumRatio > 1, "PerformanceProfile: r_max must exceed 1, got \(maximumRatio)")
        self.submissions = submissions
        self.workloads = workloads
        self.maximumRatio = maximumRatio
        self.rules = rules
        var ratios = values.map { $0.map { _ in Double.infinity } }
        for w in workloads.indices {
            let column = values.map { $0[w] }
            switch rules {
            case .optbench:
                let best = column.map { $0.isNaN ? Double.infinity : $0 }.min() ?? .infinity
                for s in submissions.indices { ratios[s][w] = Self.ratio(column[s], best: best, maximumRatio: maximumRatio) }
            case .algoPerf06:
                let best = column.filter { !$0.isNaN }.min() ?? .nan
                for s in submissions.indices { ratios[s][w] = Self.algoPerfRatio(column[s], best: best, maximumRatio: maximumRatio) }
            }
        }
        self.ratios = ratios
    }

    /// This project's ratio: value over the column's best (NaN counting as ∞), ∞ for a miss
    /// or above r_max; a zero best (target met at the first evaluation) ties everyone who
    /// also has zero.
    static func ratio(_ value: Double, best: Double, maximumRatio: Double) -> Double {
        guard best.isFinite, value.isFinite else { return .infinity }
        let ratio = best > 0 ? value / best : (value == 0 ? 1 : .infinity)
        return ratio <= maximumRatio ? ratio : .infinity
    }

    /// AlgoPerf's ratio, in its order: `best` is the column's minimum ignoring NaN (an
    /// absent workload); a value above r_max × best becomes ∞; then value ÷ best, where
    /// IEEE arithmetic decides the edge cases (∞ ÷ ∞ and 0 ÷ 0 are NaN, a miss). Misses
    /// are returned as ∞.
    static func algoPerfRatio(_ value: Double, best: Double, maximumRatio: Double) -> Double {
        let cut = value > maximumRatio * best ? Double.infinity : value
        let ratio = cut / best
        return ratio.isNaN ? .infinity : ratio
    }

    /// ρ's denominator: the workloads scored, or AlgoPerf's fixed count.
    public var denominator: Int {
        switch rules {
        case .optbench: workloads.count
        case .algoPerf06(let count): count
        }
    }

    /// ρ_s(τ): share of workloads whose ratio is at most τ.
    public func rho(submission s: Int, tau: Double) -> Double {
        guard denominator > 0 else { return 0 }
        return Double(ratios[s].filter { $0 <= tau }.count) / Double(denominator)
    }

    /// ρ_s on `points` evenly spaced τ in [1, r_max] (for plots).
    public func curve(submission s: Int, points: Int = 301) -> [(tau: Double, rho: Double)] {
        (0..<points).map { i in
            let tau = 1 + (maximumRatio - 1) * Double(i) / Double(max(points - 1, 1))
            return (tau, rho(submission: s, tau: tau))
        }
    }

    /// The benchmark score of submission `s`: ∫₁^{r_max} ρ_s(τ) dτ / (r_max − 1), in [0, 1],
    /// integrated exactly, or under AlgoPerf's rules by the trapezoid rule on its τ grid.
    public func score(submission s: Int) -> Double {
        if case .algoPerf06 = rules { return trapezoidScore(submission: s) }
        guard !workloads.isEmpty else { return 0 }
        let area = ratios[s].reduce(0.0) { sum, r in r.isFinite ? sum + (maximumRatio - r) : sum }
        return area / Double(workloads.count) / (maximumRatio - 1)
    }

    /// AlgoPerf's score: the trapezoid rule over ρ_s at `ScoringRules.algoPerfTauPoints`
    /// τ spaced as NumPy's `linspace(1, r_max)` spaces them (i × step + 1, the last
    /// exactly r_max), divided by (r_max − 1).
    func trapezoidScore(submission s: Int) -> Double {
        let count = ScoringRules.algoPerfTauPoints
        let step = (maximumRatio - 1) / Double(count - 1)
        let taus = (0..<count).map { $0 == count - 1 ? maximumRatio : Double($0) * step + 1 }
        let rhos = taus.map { rho(submission: s, tau: $0) }
        var area = 0.0
        for i in 1..<count { area += (taus[i] - taus[i - 1]) * (rhos[i] + rhos[i - 1]) / 2 }
        return area / (maximumRatio - 1)
    }

    /// Every submission's score, in `submissions` order.
    public var scores: [Double] { submissions.indices.map(score(submission:)) }
}
