import Foundation

/// OptBench's deterministic random number generator: PCG-XSH-RR 64/32 (O'Neill 2014).
///
/// Every random choice in the project (data, initialisation, dropout masks, tuning
/// points) is drawn from this generator, seeded through `StableHash`, so the same seed
/// gives the same stream on every run and machine. The sampling routines below are our
/// own rather than the standard library's, whose algorithms may change between Swift
/// versions.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    private let increment: UInt64

    private static let multiplier: UInt64 = 6_364_136_223_846_793_005

    /// A generator whose state and stream are both derived from `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        let initialState = mixer.next()
        let stream = mixer.next()
        self.init(state: initialState, stream: stream)
    }

    /// A generator seeded from names and integers through `StableHash`.
    public init(_ parts: SeedPart...) {
        var hash = StableHash()
        for part in parts {
            switch part {
            case .text(let s): hash.combine(s)
            case .integer(let i): hash.combine(i)
            }
        }
        self.init(seed: hash.finalize())
    }

    /// The PCG reference seeding: `state` and stream selector `stream`.
    public init(state initialState: UInt64, stream: UInt64) {
        increment = (stream << 1) | 1
        state = 0
        _ = nextUInt32()
        state &+= initialState
        _ = nextUInt32()
    }

    /// The next 32 uniformly distributed bits.
    public mutating func nextUInt32() -> UInt32 {
        let old = state
        state = old &* RandomGenerator.multiplier &+ increment
        let xorShifted = UInt32(truncatingIfNeeded: ((old >> 18) ^ old) >> 27)
        let rotation = UInt32(truncatingIfNeeded: old >> 59)
        return (xorShifted >> rotation) | (xorShifted << ((~rotation &+ 1) & 31))
    }

    /// The next 64 bits: two 32-bit outputs, high word first.
    public mutating func next() -> UInt64 {
        let high = UInt64(nextUInt32())
        return (high << 32) | UInt64(nextUInt32())
    }

    /// A new generator whose stream is derived from this one's next output and `label`,
    /// for handing independent streams to parts of a computation.
    public mutating func split(_ label: String = "") -> RandomGenerator {
        var hash = StableHash()
        hash.combine(next())
        hash.combine(label)
        return RandomGenerator(seed: hash.finalize())
    }

    /// Uniform in [0, 1) with 24 random bits (every value exactly representable).
    public mutating func nextFloat() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform integer in `0..<bound`, without modulo bias (Lemire 2019).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "RandomGenerator.nextInt(below:): bound must be positive, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// One standard normal sample (Box–Muller in Double precision).
    public mutating func nextNormal() -> Float {
        Float(nextNormalPair().0)
    }

    /// Two independent standard normal samples from one Box–Muller transform.
    public mutating func nextNormalPair() -> (Double, Double) {
        let u1 = 1 - nextDouble()  // (0, 1]: log is finite
        let u2 = nextDouble()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (radius * Foundation.cos(angle), radius * Foundation.sin(angle))
    }

    /// Fills `buffer` with independent normal samples of the given mean and standard deviation.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1) {
        var i = 0
        while i < buffer.count {
            let (a, b) = nextNormalPair()
            buffer[i] = mean + standardDeviation * Float(a)
            if i + 1 < buffer.count { buffer[i + 1] = mean + standardDeviation * Float(b) }
            i += 2
        }
    }

    /// Fills `buffer` with independent samples uniform in `[low, high)`.
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, low: Float = 0, high: Float = 1) {
        precondition(low <= high, "RandomGenerator.fillUniform: low \(low) exceeds high \(high)")
        let width = high - low
        for i in buffer.indices { buffer[i] = low + width * nextFloat() }
    }

    /// An index drawn with probability proportional to `weights` (non-negative, not all zero).
    public mutating func nextCategorical(weights: [Float]) -> Int {
        var total = 0.0
        for (i, w) in weights.enumerated() {
            precondition(w >= 0 && w.isFinite, "RandomGenerator.nextCategorical: weight \(i) is \(w); weights must be finite and non-negative")
            total += Double(w)
        }
        precondition(total > 0, "RandomGenerator.nextCategorical: weights sum to zero")
        let target = nextDouble() * total
        var cumulative = 0.0
        for (i, w) in weights.enumerated() {
            cumulative += Double(w)
            if target < cumulative { return i }
        }
        return weights.lastIndex { $0 > 0 }!
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        precondition(count >= 0, "RandomGenerator.permutation: count must be non-negative, got \(count)")
        var result = Array(0..<count)
        shuffle(&result)
        return result
    }

    /// Shuffles `array` in place uniformly (Fisher–Yates, our own so the order is stable).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}

extension Tensor {
    /// A tensor of independent normal samples.
    public static func randomNormal(
        shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        var t = Tensor(shape: shape)
        t.withUnsafeMutableBufferPointer { generator.fillNormal($0, mean: mean, standardDeviation: standardDeviation) }
        return t
    }

    /// A tensor of independent samples uniform in `[low, high)`.
    public static func randomUniform(
        shape: [Int], low: Float = 0, high: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        var t = Tensor(shape: shape)
        t.withUnsafeMutableBufferPointer { generator.fillUniform($0, low: low, high: high) }
        return t
    }
}
