/// REINFORCE with a shared baseline (Kwon et al. 2020, POMO; Kool et al. 2019): the
/// coefficients of the surrogate `J(θ) = Σ_r c_r · Σ_t log π_θ(a_t | r)` over rollouts `r`
/// whose costs (tour lengths, makespans) are to be minimised. Rollouts come in groups of
/// `groupSize` consecutive rollouts of the same instance (POMO's start cities, the jobshop
/// workload's samples); `c_r = (cost_r − β_r) / count`, where the baseline `β_r` is the mean
/// cost of `r`'s group (`.group`) or of every rollout (`.batch`). Descending `J` lowers the
/// expected cost; its value, a centred covariance, is not a measure of progress.
public enum SharedBaseline: String, Sendable {
    /// The mean over the rollout's own group (POMO's shared baseline).
    case group
    /// The mean over all rollouts of the batch.
    case batch

    /// `(cost_r − β_r) / costs.count` per rollout.
    func coefficients(costs: [Double], groupSize: Int) -> [Double] {
        precondition(groupSize >= 1 && costs.count % groupSize == 0, "shared baseline: \(costs.count) costs in groups of \(groupSize)")
        let scale = 1 / Double(costs.count)
        let batchMean = costs.reduce(0, +) / Double(costs.count)
        return costs.indices.map { r in
            let baseline: Double
            switch self {
            case .group:
                let start = (r / groupSize) * groupSize
                baseline = costs[start..<(start + groupSize)].reduce(0, +) / Double(groupSize)
            case .batch:
                baseline = batchMean
            }
            return (costs[r] - baseline) * scale
        }
    }

    /// The surrogate's value `Σ_r c_r ℓ_r` at the rollouts' log-probabilities `ℓ_r`.
    static func surrogate(coefficients: [Double], logProbabilities: [Double]) -> Float {
        Float(zip(coefficients, logProbabilities).reduce(0.0) { $0 + $1.0 * $1.1 })
    }
}
