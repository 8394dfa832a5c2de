/// A block of token sequences, each `length` tokens (`context_length + 1`): the model reads
/// tokens `0 ..< length−1` of a sequence and predicts tokens `1 ..< length`.
public struct TokenBatch: Sendable, Equatable, ExampleBatch {
    public let count: Int
    public let length: Int
    /// `count × length` token ids, row-major.
    public var tokens: [Int32]

    public init(count: Int, length: Int, tokens: [Int32]) {
        precondition(length >= 2, "TokenBatch: sequences need at least 2 tokens, got \(length)")
        precondition(tokens.count == count * length, "TokenBatch: \(count) sequences of \(length) need \(count * length) tokens, got \(tokens.count)")
        self.count = count
        self.length = length
        self.tokens = tokens
    }

    /// Number of predicted tokens, `count · (length − 1)`.
    public var predictions: Int { count * (length - 1) }

    /// The sequences at `indices`, in that order.
    func gathering(_ indices: [Int]) -> TokenBatch {
        var result = [Int32]()
        result.reserveCapacity(indices.count * length)
        for index in indices {
            precondition(index >= 0 && index < count, "TokenBatch.gathering: index \(index) outside 0..<\(count)")
            result.append(contentsOf: tokens[(index * length)..<((index + 1) * length)])
        }
        return TokenBatch(count: indices.count, length: length, tokens: result)
    }

    /// The contiguous sequences `range`.
    public func slice(_ range: Range<Int>) -> TokenBatch {
        TokenBatch(count: range.count, length: length, tokens: Array(tokens[(range.lowerBound * length)..<(range.upperBound * length)]))
    }
}
