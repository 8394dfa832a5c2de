import Core

/// When a low-rank method renews its subspace: every `gap` steps, starting at step 0
/// (GaLore's and APOLLO's `update_proj_gap`, FRUGAL's `update_gap`).
struct ProjectionRefresh: Sendable {
    /// Steps between refreshes (≥ 1).
    let gap: Int

    /// The gap read from `name` (an integer in [1, 2³⁰]), `fallback` when absent.
    init(hyperparameters: Hyperparameters, name: String = "update_proj_gap", default fallback: Int = 200) throws {
        gap = try hyperparameters.integer(name, default: fallback, in: 1...(1 << 30))
    }

    /// Whether the subspace is renewed before the update of `step` (0-based).
    func isDue(atStep step: Int) -> Bool { step % gap == 0 }

    /// How many refreshes came before the one at or before `step`: the index of the
    /// current subspace period.
    func period(atStep step: Int) -> Int { step / gap }

    /// 1-based steps since the last refresh: the step count a method whose moments
    /// restart at each refresh uses for bias correction.
    func stepsSinceRefresh(atStep step: Int) -> Int { step % gap + 1 }
}
