/// A block of regression examples, row-major: `inputs` is `count × features`.
public struct RegressionBatch: Sendable, Equatable, ExampleBatch {
    public let count: Int
    public let features: Int
    public var inputs: [Float]
    public var targets: [Float]

    public init(count: Int, features: Int, inputs: [Float], targets: [Float]) {
        precondition(inputs.count == count * features && targets.count == count,
                     "RegressionBatch: \(count) examples of \(features) features need \(count * features) inputs and \(count) targets, got \(inputs.count) and \(targets.count)")
        self.count = count
        self.features = features
        self.inputs = inputs
        self.targets = targets
    }

    /// The examples at `indices`, in that order.
    func gathering(_ indices: [Int]) -> RegressionBatch {
        var x = [Float](repeating: 0, count: indices.count * features)
        var y = [Float](repeating: 0, count: indices.count)
        inputs.withUnsafeBufferPointer { src in
            x.withUnsafeMutableBufferPointer { dst in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "RegressionBatch.gathering: index \(index) outside 0..<\(count)")
                    let from = index * features, to = row * features
                    for j in 0..<features { dst[to + j] = src[from + j] }
                }
            }
        }
        for (row, index) in indices.enumerated() { y[row] = targets[index] }
        return RegressionBatch(count: indices.count, features: features, inputs: x, targets: y)
    }

    /// The contiguous examples `range`.
    public func slice(_ range: Range<Int>) -> RegressionBatch {
        RegressionBatch(
            count: range.count, features: features,
            inputs: Array(inputs[(range.lowerBound * features)..<(range.upperBound * features)]),
            targets: Array(targets[range]))
    }
}
