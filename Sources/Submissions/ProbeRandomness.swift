import Core
import Tensor

extension Oracle {
    /// A generator for the random draws of `purpose` at `step` (Hutchinson probes,
    /// zeroth-order directions, coordinate subsets), derived from the oracle's
    /// `randomSeed` through `StableHash`: the same trial seed and step give the same
    /// draws, so a direction can be regenerated instead of stored.
    func probeGenerator(_ purpose: String, step: Int, draw: Int = 0) -> RandomGenerator {
        var hash = StableHash()
        hash.combine(randomSeed)
        hash.combine(purpose)
        hash.combine(step)
        hash.combine(draw)
        return RandomGenerator(seed: hash.finalize())
    }
}

extension RandomGenerator {
    /// Fills `buffer` with independent Rademacher signs (±1 with probability ½ each),
    /// 32 signs per 32-bit draw.
    mutating func fillRademacher(_ buffer: UnsafeMutableBufferPointer<Float>) {
        var i = 0
        while i < buffer.count {
            var bits = nextUInt32()
            let end = min(buffer.count, i + 32)
            while i < end {
                buffer[i] = bits & 1 == 0 ? 1 : -1
                bits >>= 1
                i += 1
            }
        }
    }
}
