import Foundation
import Tensor

/// One seeded change to a results file's bytes, of the kinds files suffer in transit and
/// on disk: cut short, bits flipped, a block zeroed, a block overwritten with noise, or a
/// block copied over another place (which keeps HDF5's signatures, so the library parses
/// deeper before it meets the damage).
public enum ResultsFileMutation: Sendable, Equatable, CustomStringConvertible {
    case truncate(length: Int)
    case flipBits(offsets: [Int], bits: [Int])
    case zeroBlock(offset: Int, length: Int)
    case noiseBlock(offset: Int, length: Int, seed: UInt64)
    case copyBlock(from: Int, to: Int, length: Int)

    /// The `index`-th mutation of a file of `size` bytes under `seed`: the kinds in turn,
    /// their places and sizes drawn from `SplitMix64`, so a run is repeatable.
    public static func make(index: Int, seed: UInt64, size: Int) -> ResultsFileMutation {
        var hash = StableHash()
        hash.combine(seed)
        hash.combine("mutation")
        hash.combine(index)
        var random = SplitMix64(seed: hash.finalize())
        func draw(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(random.next() % UInt64(bound)) }
        let size = max(1, size)
        switch index % 5 {
        case 0: return .truncate(length: draw(size))
        case 1:
            let count = 1 + draw(8)
            return .flipBits(offsets: (0..<count).map { _ in draw(size) }, bits: (0..<count).map { _ in draw(8) })
        case 2: return .zeroBlock(offset: draw(size), length: 1 << (2 + draw(8)))
        case 3: return .noiseBlock(offset: draw(size), length: 1 << draw(9), seed: random.next())
        default: return .copyBlock(from: draw(size), to: draw(size), length: 8 << draw(7))
        }
    }

    /// `bytes` with the mutation applied (blocks are clipped to the file).
    public func applied(to bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        switch self {
        case .truncate(let length):
            result.removeLast(max(0, result.count - length))
        case .flipBits(let offsets, let bits):
            for (offset, bit) in zip(offsets, bits) where offset < result.count { result[offset] ^= UInt8(1) << UInt8(bit) }
        case .zeroBlock(let offset, let length):
            for index in offset..<min(result.count, offset + length) { result[index] = 0 }
        case .noiseBlock(let offset, let length, let seed):
            var random = SplitMix64(seed: seed)
            for index in offset..<min(result.count, offset + length) { result[index] = UInt8(truncatingIfNeeded: random.next()) }
        case .copyBlock(let from, let to, let length):
            let block = Array(bytes[min(from, bytes.count)..<min(bytes.count, from + length)])
            for (index, byte) in block.enumerated() where to + index < result.count { result[to + index] = byte }
        }
        return result
    }

    public var description: String {
        switch self {
        case .truncate(let length): "truncated to \(length) bytes"
        case .flipBits(let offsets, _): "\(offsets.count) bit(s) flipped at \(offsets.map(String.init).joined(separator: ","))"
        case .zeroBlock(let offset, let length): "\(length) bytes zeroed at \(offset)"
        case .noiseBlock(let offset, let length, _): "\(length) bytes of noise at \(offset)"
        case .copyBlock(let from, let to, let length): "\(length) bytes copied from \(from) to \(to)"
        }
    }
}
