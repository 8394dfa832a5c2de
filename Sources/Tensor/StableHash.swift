/// A hash that is the same in every process, on every machine, in every Swift version.
///
/// Seeds in OptBench are derived from names and indices (suite seed, workload,
/// submission, study, trial). Swift's `Hasher` and `hashValue` are randomised per process,
/// so they must never feed a seed; this 64-bit FNV-1a over the UTF-8 bytes and the
/// little-endian bytes of integers, finished with the SplitMix64 mixer, is used instead.
public struct StableHash: Sendable {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// Feeds the UTF-8 bytes of `text`, then a terminator so that ("ab","c") ≠ ("a","bc").
    public mutating func combine(_ text: String) {
        for byte in text.utf8 { feed(byte) }
        feed(0xFF)
    }

    /// Feeds the eight little-endian bytes of `value`.
    public mutating func combine(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            feed(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// Feeds an `Int` as its 64-bit two's-complement pattern.
    public mutating func combine(_ value: Int) {
        combine(UInt64(bitPattern: Int64(value)))
    }

    /// The finished 64-bit hash.
    public func finalize() -> UInt64 { SplitMix64.mix(state) }

    private mutating func feed(_ byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x0000_0100_0000_01B3
    }

    /// A seed derived from a sequence of names and integers, e.g.
    /// `StableHash.seed("suite", 0, "regression", "adamw", 2, 4)`.
    public static func seed(_ parts: SeedPart...) -> UInt64 {
        var hash = StableHash()
        for part in parts {
            switch part {
            case .text(let s): hash.combine(s)
            case .integer(let i): hash.combine(i)
            }
        }
        return hash.finalize()
    }
}

/// One component of a derived seed: a name or an integer.
public enum SeedPart: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case text(String)
    case integer(Int)

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
}

extension StableHash {
    /// A child seed of `seed` for the purpose `label` ("parameters", "data", ...).
    public static func derive(_ seed: UInt64, _ label: String) -> UInt64 {
        var hash = StableHash()
        hash.combine(seed)
        hash.combine(label)
        return hash.finalize()
    }
}
