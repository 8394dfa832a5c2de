import Core

/// The search space and defaults the Adam family shares (AlgoPerf's NAdamW baseline
/// ranges), so a method states only what it adds or changes.
extension SearchSpace {
    /// `learning_rate` in [1e-4, 1e-1] and `one_minus_beta1` in [0.01, 0.2], both
    /// log-scaled; `beta2` and `warmup_fraction` fixed at the given points; plus `extra`
    /// (which may override any of these).
    static func adamFamily(
        beta2: Double = 0.999, warmupFraction: Double = 0.05, adding extra: [String: Dimension] = [:]
    ) -> SearchSpace {
        let shared: [String: Dimension] = [
            "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
            "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
            "beta2": .feasiblePoints([beta2]),
            "warmup_fraction": .feasiblePoints([warmupFraction]),
        ]
        return SearchSpace(shared.merging(extra) { _, added in added })
    }
}

extension SearchSpace.Dimension {
    /// Decoupled weight decay in [1e-5, 0.5], log-scaled: the range every AdamW-like
    /// method tunes.
    static let weightDecayRange = SearchSpace.Dimension.range(min: 1e-5, max: 0.5, scaling: .log)
}

extension Hyperparameters {
    /// The Adam family's defaults: `learning_rate`, `one_minus_beta1` 0.1, `beta2`,
    /// `warmup_fraction`, plus `extra` (which may override any of these).
    static func adamFamilyDefaults(
        learningRate: Double = 3e-3, beta2: Double = 0.999, warmupFraction: Double = 0.05,
        adding extra: [String: Double] = [:]
    ) -> Hyperparameters {
        let shared = [
            "learning_rate": learningRate, "one_minus_beta1": 0.1, "beta2": beta2, "warmup_fraction": warmupFraction,
        ]
        return Hyperparameters(shared.merging(extra) { _, added in added })
    }
}
