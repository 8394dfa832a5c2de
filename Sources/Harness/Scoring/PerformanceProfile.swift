/// AlgoPerf performance profiles over a table of per-workload values (smaller is better;
/// `.infinity` marks a miss).
///
/// For each workload the ratio of a submission's value to the best submission's value;
/// ratios above `maximumRatio` (r_max = 4) become infinite. ρ_s(τ) is the share of
/// workloads with ratio ≤ τ, and the benchmark score is the area under ρ_s on
/// [1, r_max] divided by (r_max − 1), integrated exactly (ρ is a step function). A
/// workload every submission missed stays in the denominator and credits nobody.
public struct PerformanceProfile: Sendable, Equatable {
    public static let defaultMaximumRatio = 4.0

    public let submissions: [String]
    public let workloads: [String]
    /// `ratios[s][w]`: value over the workload's best value (∞ for a miss or above r_max).
    public let ratios: [[Double]]
    public let maximumRatio: Double

    /// `values[s][w]` for submission `s` and workload `w`.
    public init(submissions: [String], workloads: [String], values: [[Double]], maximumRatio: Double = defaultMaximumRatio) {
        precondition(values.count == submissions.count && values.allSatisfy { $0.count == workloads.count },
                     "PerformanceProfile: values must be \(submissions.count) × \(workloads.count)")
        precondition(maximumRatio > 1, "PerformanceProfile: r_max must exceed 1, got \(maximumRatio)")
        self.submissions = submissions
        self.workloads = workloads
        self.maximumRatio = maximumRatio
        var ratios = values.map { $0.map { _ in Double.infinity } }
        for w in workloads.indices {
            let column = values.map { $0[w].isNaN ? Double.infinity : $0[w] }
            guard let best = column.min(), best.isFinite else { continue }
            for s in submissions.indices where column[s].isFinite {
                // A zero best (target met at the first evaluation) ties everyone who also has zero.
                let ratio = best > 0 ? column[s] / best : (column[s] == 0 ? 1 : .infinity)
                ratios[s][w] = ratio <= maximumRatio ? ratio : .infinity
            }
        }
        self.ratios = ratios
    }

    /// ρ_s(τ): share of workloads whose ratio is at most τ.
    public func rho(submission s: Int, tau: Double) -> Double {
        guard !workloads.isEmpty else { return 0 }
        return Double(ratios[s].filter { $0 <= tau }.count) / Double(workloads.count)
    }

    /// ρ_s on `points` evenly spaced τ in [1, r_max] (for plots).
    public func curve(submission s: Int, points: Int = 301) -> [(tau: Double, rho: Double)] {
        (0..<points).map { i in
            let tau = 1 + (maximumRatio - 1) * Double(i) / Double(max(points - 1, 1))
            return (tau, rho(submission: s, tau: tau))
        }
    }

    /// The benchmark score of submission `s`: ∫₁^{r_max} ρ_s(τ) dτ / (r_max − 1), in [0, 1].
    public func score(submission s: Int) -> Double {
        guard !workloads.isEmpty else { return 0 }
        let area = ratios[s].reduce(0.0) { sum, r in r.isFinite ? sum + (maximumRatio - r) : sum }
        return area / Double(workloads.count) / (maximumRatio - 1)
    }

    /// Every submission's score, in `submissions` order.
    public var scores: [Double] { submissions.indices.map(score(submission:)) }
}
