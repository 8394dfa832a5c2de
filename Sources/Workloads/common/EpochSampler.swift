import Tensor

/// Example indices `0..<count` served in epochs, each a fresh seeded permutation.
///
/// A request larger than what is left of the epoch takes the rest, reshuffles and
/// continues, so every example is seen once per epoch whatever batch sizes a
/// submission asks for. The order depends only on the seed and the sequence of
/// request sizes.
struct EpochSampler {
    private var generator: RandomGenerator
    private var order: [Int]
    private var position = 0
    /// Completed passes over the data.
    private(set) var epoch = 0

    init(count: Int, seed: UInt64) {
        precondition(count >= 1, "EpochSampler: needs at least one example, got \(count)")
        generator = RandomGenerator(seed: seed)
        order = Array(0..<count)
        generator.shuffle(&order)
    }

    /// The next `size` indices (with wrap-around into reshuffled epochs).
    mutating func next(_ size: Int) -> [Int] {
        precondition(size >= 1, "EpochSampler.next: batch size must be ≥ 1, got \(size)")
        var result: [Int] = []
        result.reserveCapacity(size)
        while result.count < size {
            if position == order.count {
                generator.shuffle(&order)
                position = 0
                epoch += 1
            }
            let take = min(size - result.count, order.count - position)
            result.append(contentsOf: order[position..<(position + take)])
            position += take
        }
        return result
    }
}
