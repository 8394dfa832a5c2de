import Foundation
import Tensor

/// A scrambled Halton sequence in [0, 1)^d: dimension j uses the j-th prime as its base,
/// and every digit position of every dimension is relabelled by its own random
/// permutation drawn from a seeded generator (random digit scrambling).
///
/// The sequence is reproducible from its seed, and scrambling keeps Halton's
/// stratification: the first b^k points of a base-b dimension fall one in each interval
/// [i/b^k, (i+1)/b^k). Used to draw external-tuning trials from a search space.
public struct ScrambledHalton: Sendable {
    /// The bases, one per dimension (the first primes).
    public let bases: [Int]
    /// `permutations[j][k]` relabels digit position k of dimension j.
    private let permutations: [[[Int]]]
    /// Digit positions used per dimension: enough that b^digits ≥ 2^40.
    private let digitCounts: [Int]

    /// A sequence of `dimensions` coordinates, scrambled from `seed`.
    public init(dimensions: Int, seed: UInt64) {
        precondition(dimensions >= 0, "ScrambledHalton: dimensions must be non-negative, got \(dimensions)")
        bases = Array(Self.primes(count: dimensions))
        var generator = RandomGenerator(seed: seed)
        var allPermutations: [[[Int]]] = []
        var counts: [Int] = []
        for base in bases {
            let digits = Int((40 / Foundation.log2(Double(base))).rounded(.up))
            counts.append(digits)
            allPermutations.append((0..<digits).map { _ in generator.permutation(base) })
        }
        permutations = allPermutations
        digitCounts = counts
    }

    /// The point at `index` (0, 1, 2, ...).
    public func point(_ index: Int) -> [Double] {
        precondition(index >= 0, "ScrambledHalton: index must be non-negative, got \(index)")
        return bases.indices.map { coordinate(index, dimension: $0) }
    }

    /// The first `count` points.
    public func points(_ count: Int) -> [[Double]] {
        (0..<count).map(point)
    }

    private func coordinate(_ index: Int, dimension j: Int) -> Double {
        let base = bases[j]
        var remaining = index
        var scale = 1.0 / Double(base)
        var value = 0.0
        for k in 0..<digitCounts[j] {
            let digit = remaining % base
            remaining /= base
            value += Double(permutations[j][k][digit]) * scale
            scale /= Double(base)
        }
        return min(value, 1.0.nextDown)
    }

    /// The first `count` primes.
    static func primes(count: Int) -> [Int] {
        var found: [Int] = []
        var candidate = 2
        while found.count < count {
            if found.allSatisfy({ candidate % $0 != 0 }) { found.append(candidate) }
            candidate += 1
        }
        return found
    }
}
