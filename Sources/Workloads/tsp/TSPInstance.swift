import Tensor

/// A Euclidean TSP instance: `cities` points in the unit square, row-major `(x, y)` pairs in
/// Float (the precision the policy sees); distances and tour lengths are computed in Double
/// from those Float coordinates, so every length in the workload and in the stored
/// reference is the same number.
public struct TSPInstance: Sendable, Equatable {
    public let cities: Int
    /// `cities × 2`: `x₀, y₀, x₁, y₁, …`.
    public let coordinates: [Float]

    public init(coordinates: [Float]) {
        precondition(coordinates.count % 2 == 0 && !coordinates.isEmpty,
                     "TSPInstance: coordinates must be (x, y) pairs, got \(coordinates.count) numbers")
        precondition(coordinates.allSatisfy(\.isFinite), "TSPInstance: coordinates must be finite")
        self.cities = coordinates.count / 2
        self.coordinates = coordinates
    }

    /// `cities` points uniform in `[0, 1)²`, from `seed` (x then y for each city, 24-bit floats).
    public static func uniform(cities: Int, seed: UInt64) -> TSPInstance {
        precondition(cities >= 1, "TSPInstance.uniform: needs at least one city, got \(cities)")
        var generator = RandomGenerator(seed: seed)
        return TSPInstance(coordinates: (0..<(2 * cities)).map { _ in generator.nextFloat() })
    }

    /// The seed of instance `index` of the data split `split` ("train", "validation", "test")
    /// under `dataSeed`: `StableHash.seed("tsp.instance", dataSeed, split, index)`.
    public static func seed(dataSeed: UInt64, split: String, index: Int) -> UInt64 {
        StableHash.seed("tsp.instance", .integer(Int(truncatingIfNeeded: dataSeed)), .text(split), .integer(index))
    }

    /// Euclidean distance between cities `a` and `b`, in Double.
    @inlinable
    public func distance(_ a: Int, _ b: Int) -> Double {
        let dx = Double(coordinates[2 * a]) - Double(coordinates[2 * b])
        let dy = Double(coordinates[2 * a + 1]) - Double(coordinates[2 * b + 1])
        return (dx * dx + dy * dy).squareRoot()
    }

    /// The `cities × cities` distance matrix, row-major.
    public func distanceMatrix() -> [Double] {
        var d = [Double](repeating: 0, count: cities * cities)
        for a in 0..<cities { for b in 0..<cities { d[a * cities + b] = distance(a, b) } }
        return d
    }

    /// Length of the closed tour visiting `tour` in order and returning to its start; the
    /// tour must be a permutation of the cities.
    public func tourLength(_ tour: [Int]) -> Double {
        precondition(isPermutation(tour), "TSPInstance.tourLength: tour \(tour) is not a permutation of 0..<\(cities)")
        var total = 0.0
        for i in tour.indices { total += distance(tour[i], tour[(i + 1) % tour.count]) }
        return total
    }

    /// Whether `tour` visits every city exactly once.
    public func isPermutation(_ tour: [Int]) -> Bool {
        guard tour.count == cities else { return false }
        var seen = [Bool](repeating: false, count: cities)
        for city in tour {
            guard city >= 0 && city < cities && !seen[city] else { return false }
            seen[city] = true
        }
        return true
    }
}
