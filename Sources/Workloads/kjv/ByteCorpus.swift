import Core
import Tensor

/// A text corpus as bytes, cut into three contiguous blocks: training from the start,
/// then validation, then test at the end (the enwik8 convention), so no byte of the
/// evaluation blocks is ever in a training window.
///
/// Training batches are windows of `T + 1` bytes at uniformly random offsets in the
/// training block. Evaluation cuts a block into consecutive windows that share their
/// boundary byte (window `k` is bytes `kT ..< kT + T + 1` of the block), so every byte but
/// the block's first is predicted exactly once, up to the last whole window.
public struct ByteCorpus: Sendable, Equatable {
    public let bytes: [UInt8]
    public let training: Range<Int>
    public let validation: Range<Int>
    public let test: Range<Int>

    /// `bytes` with the last `testBytes` as the test block and the `validationBytes` before
    /// them as the validation block.
    public init(bytes: [UInt8], validationBytes: Int, testBytes: Int) {
        precondition(
            validationBytes >= 1 && testBytes >= 1 && validationBytes + testBytes < bytes.count,
            "ByteCorpus: blocks of \(validationBytes) and \(testBytes) bytes do not fit in \(bytes.count)")
        self.bytes = bytes
        let testStart = bytes.count - testBytes, validationStart = testStart - validationBytes
        training = 0..<validationStart
        validation = validationStart..<testStart
        test = testStart..<bytes.count
    }

    /// Reads the corpus file `settings.corpusFile`, checked against its recorded size and SHA-256.
    public init(settings s: KJVSettings) throws {
        let remedy = "make deps (it writes the corpus with: bible -l80 \"gen1:1-rev22:21\", from the Debian package bible-kjv)"
        let bytes = try DataFile(path: s.corpusFile, sha256: s.corpusSHA256, maximumBytes: s.corpusBytes, remedy: remedy).read()
        guard bytes.count == s.corpusBytes else {
            // Unreachable unless a spec pairs a digest with the wrong size: say which.
            throw InputError(source: s.corpusFile, field: nil, message: "has \(bytes.count) bytes, the spec says \(s.corpusBytes)")
        }
        self.init(bytes: bytes, validationBytes: s.validationBytes, testBytes: s.testBytes)
    }

    /// Windows of `contextLength + 1` bytes in a block of `bytes` bytes, cut as `evaluationWindows` cuts them.
    public static func evaluationWindowCount(bytes: Int, contextLength: Int) -> Int {
        max(bytes - 1, 0) / contextLength
    }

    /// The first `limit` (default: all) evaluation windows of `block`, as a batch of
    /// `contextLength + 1`-byte sequences.
    public func evaluationWindows(_ block: Range<Int>, contextLength: Int, limit: Int? = nil) -> TokenBatch {
        let available = Self.evaluationWindowCount(bytes: block.count, contextLength: contextLength)
        let count = min(limit ?? available, available)
        precondition(count >= 1, "ByteCorpus: a block of \(block.count) bytes holds no window of \(contextLength + 1)")
        return windows(starts: (0..<count).map { block.lowerBound + $0 * contextLength }, length: contextLength + 1)
    }

    /// `count` training windows of `contextLength + 1` bytes at uniform random offsets.
    public func randomTrainingWindows(_ count: Int, contextLength: Int, using generator: inout RandomGenerator) -> TokenBatch {
        let offsets = training.count - contextLength
        precondition(offsets >= 1, "ByteCorpus: the training block of \(training.count) bytes holds no window of \(contextLength + 1)")
        return windows(starts: (0..<count).map { _ in training.lowerBound + generator.nextInt(below: offsets) }, length: contextLength + 1)
    }

    /// The byte sequences `start ..< start + length` as tokens.
    private func windows(starts: [Int], length: Int) -> TokenBatch {
        var tokens = [Int32]()
        tokens.reserveCapacity(starts.count * length)
        for start in starts { tokens.append(contentsOf: bytes[start..<(start + length)].lazy.map { Int32($0) }) }
        return TokenBatch(count: starts.count, length: length, tokens: tokens)
    }
}
