/// A submission's tuning search space, in the three forms of AlgoPerf's
/// `tuning_search_space.json`: per-hyperparameter ranges (`min`/`max` with `linear` or
/// `log` scaling) or `feasible_points`, or a list of fixed points.
public struct SearchSpace: Sendable, Equatable {
    /// How a range is sampled.
    public enum Scaling: String, Sendable, Equatable {
        case linear, log
    }

    /// One hyperparameter's allowed values.
    public enum Dimension: Sendable, Equatable {
        case range(min: Double, max: Double, scaling: Scaling)
        case feasiblePoints([Double])
    }

    /// The whole space.
    public enum Form: Sendable, Equatable {
        /// Independent dimensions, sampled jointly by a quasi-random sequence.
        case dimensions([String: Dimension])
        /// An explicit list of configurations, taken in order.
        case fixedPoints([Hyperparameters])
    }

    public let form: Form

    public init(_ dimensions: [String: Dimension]) { form = .dimensions(dimensions) }
    public init(fixedPoints: [Hyperparameters]) { form = .fixedPoints(fixedPoints) }

    /// Hyperparameter names, sorted.
    public var names: [String] {
        switch form {
        case .dimensions(let d): d.keys.sorted()
        case .fixedPoints(let points): Set(points.flatMap(\.values.keys)).sorted()
        }
    }
}
