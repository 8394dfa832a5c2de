/// A labelled feature matrix (row-major `count × features`) for the bilevel workloads.
public struct ClassificationData: Sendable, Equatable {
    public let count: Int
    public let features: Int
    public var inputs: [Float]
    public var labels: [Int]

    public init(count: Int, features: Int, inputs: [Float], labels: [Int]) {
        precondition(inputs.count == count * features && labels.count == count,
                     "ClassificationData: \(count) examples of \(features) features need \(count * features) inputs and \(count) labels, got \(inputs.count) and \(labels.count)")
        self.count = count
        self.features = features
        self.inputs = inputs
        self.labels = labels
    }

    /// The rows at `indices` (all rows, without copying, when nil), with their labels and
    /// the indices themselves (`0..<count` when nil).
    func rows(_ indices: [Int]?) -> (inputs: [Float], labels: [Int], indices: [Int]) {
        guard let indices else { return (inputs, labels, Array(0..<count)) }
        var x = [Float](repeating: 0, count: indices.count * features)
        var y = [Int](repeating: 0, count: indices.count)
        inputs.withUnsafeBufferPointer { src in
            x.withUnsafeMutableBufferPointer { dst in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "ClassificationData: example index \(index) outside 0..<\(count)")
                    for j in 0..<features { dst[row * features + j] = src[index * features + j] }
                    y[row] = labels[index]
                }
            }
        }
        return (x, y, indices)
    }
}
