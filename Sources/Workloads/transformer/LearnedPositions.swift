import NN
import Tensor

/// Learned absolute positional embeddings: adds row `t` of a `[maxLength, dimension]` table
/// to position `t` of every sequence of a `[batch, length, dimension]` input
/// (`length ≤ maxLength`). The table is `"<name>.weight"`, kind `.embedding`, initialised
/// `N(0, standardDeviation²)`; backward adds each position's output gradient, summed over
/// the batch, to its row and passes the gradient through unchanged.
final class LearnedPositions: Layer {
    let name: String
    let maxLength: Int
    let dimension: Int
    let standardDeviation: Float
    let table: ParameterView
    private var cachedShape: [Int]?

    init(_ name: String, maxLength: Int, dimension: Int, standardDeviation: Float, layout: inout ParameterLayout) {
        precondition(maxLength >= 1 && dimension >= 1, "LearnedPositions '\(name)': sizes must be positive, got \(maxLength) × \(dimension)")
        self.name = name
        self.maxLength = maxLength
        self.dimension = dimension
        self.standardDeviation = standardDeviation
        table = layout.add("\(name).weight", shape: [maxLength, dimension], kind: .embedding)
    }

    var parameterViews: [ParameterView] { [table] }

    func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        checkShape(input.shape, expected: [nil, nil, dimension])
        let (batch, length) = (input.shape[0], input.shape[1])
        precondition(length <= maxLength, "LearnedPositions '\(name)': sequence length \(length) exceeds the table's \(maxLength) positions")
        cachedShape = input.shape
        var output = input
        let width = length * dimension
        output.withUnsafeMutableBufferPointer { y in
            parameters.withUnsafeBufferPointer(table) { p in
                for b in 0..<batch {
                    let o = b * width
                    for i in 0..<width { y[o + i] += p[i] }
                }
            }
        }
        return output
    }

    func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let shape = requireCache(cachedShape)
        checkShape(outputGradient.shape, expected: shape, what: "output gradient")
        let (batch, width) = (shape[0], shape[1] * dimension)
        outputGradient.withUnsafeBufferPointer { dy in
            gradient.withUnsafeMutableBufferPointer(table) { dp in
                for b in 0..<batch {
                    let o = b * width
                    for i in 0..<width { dp[i] += dy[o + i] }
                }
            }
        }
        return outputGradient
    }

    func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        parameters.withUnsafeMutableBufferPointer(table) { generator.fillNormal($0, standardDeviation: standardDeviation) }
    }
}
