/// A batch of TSP instances with one rollout seed each: the seed fixes the uniform numbers
/// the sampled rollouts consume, so `loss` and `lossAndGradient` are deterministic functions
/// of (parameters, batch), and splitting a batch keeps every instance's rollouts.
public struct TSPBatch: Sendable, Equatable, ExampleBatch {
    public let cities: Int
    /// `count × cities × 2` coordinates.
    public var coordinates: [Float]
    /// One seed per instance for its sampled rollouts.
    public var rolloutSeeds: [UInt64]

    public var count: Int { rolloutSeeds.count }

    public init(cities: Int, coordinates: [Float], rolloutSeeds: [UInt64]) {
        precondition(cities >= 2, "TSPBatch: instances need at least 2 cities, got \(cities)")
        precondition(coordinates.count == rolloutSeeds.count * cities * 2,
                     "TSPBatch: \(rolloutSeeds.count) instances of \(cities) cities need \(rolloutSeeds.count * cities * 2) coordinates, got \(coordinates.count)")
        self.cities = cities
        self.coordinates = coordinates
        self.rolloutSeeds = rolloutSeeds
    }

    /// Instances with rollout seeds (for evaluation sets the seeds are unused).
    public init(instances: [TSPInstance], rolloutSeeds: [UInt64]? = nil) {
        precondition(!instances.isEmpty, "TSPBatch: needs at least one instance")
        let cities = instances[0].cities
        precondition(instances.allSatisfy { $0.cities == cities }, "TSPBatch: instances must have the same number of cities")
        self.init(cities: cities, coordinates: instances.flatMap(\.coordinates),
                  rolloutSeeds: rolloutSeeds ?? [UInt64](repeating: 0, count: instances.count))
    }

    /// Instance `index`.
    public func instance(_ index: Int) -> TSPInstance {
        TSPInstance(coordinates: Array(coordinates[(index * cities * 2)..<((index + 1) * cities * 2)]))
    }

    /// The contiguous instances `range`.
    public func slice(_ range: Range<Int>) -> TSPBatch {
        TSPBatch(cities: cities, coordinates: Array(coordinates[(range.lowerBound * cities * 2)..<(range.upperBound * cities * 2)]),
                 rolloutSeeds: Array(rolloutSeeds[range]))
    }
}
