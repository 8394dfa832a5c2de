import Tensor

/// A lookup table mapping integer token ids to learned vectors.
///
/// The input holds ids stored as `Float` (exact for ids below 2²⁴), usually of shape
/// `[batch, sequence]`; any shape works and the output appends one axis of `dimension`:
/// `[batch, sequence] → [batch, sequence, dimension]`. The table is `"<name>.weight"`,
/// shape `[vocabularySize, dimension]`, kind `.embedding`, one row per id.
///
/// Backward scatter-adds each output-gradient row into the table row of its id (so an id
/// that occurs several times receives the sum of its rows). Ids are not differentiable:
/// backward returns a zero tensor of the input's shape, which keeps `Sequential`'s
/// contract without pretending to a gradient (`accumulateParameterGradients` skips it).
public final class Embedding: Layer {
    public let name: String
    public let vocabularySize: Int
    public let dimension: Int
    /// Standard deviation of the normal initialisation.
    public let standardDeviation: Float
    /// `"<name>.weight"`, shape `[vocabularySize, dimension]`.
    public let table: ParameterView

    private var cachedIds: (ids: [Int], shape: [Int])?

    /// Registers `"<name>.weight"` in `layout`. The table is initialised from
    /// `N(0, standardDeviation²)`; the default `1/√dimension` gives each row an expected
    /// squared norm of one, the scale of a layer-normalised activation.
    public init(
        _ name: String, vocabularySize: Int, dimension: Int, standardDeviation: Float? = nil,
        layout: inout ParameterLayout
    ) {
        precondition(
            vocabularySize > 0 && dimension > 0,
            "Embedding '\(name)': vocabulary size and dimension must be positive, got \(vocabularySize) and \(dimension)")
        let deviation = standardDeviation ?? 1 / Float(dimension).squareRoot()
        precondition(
            deviation >= 0 && deviation.isFinite,
            "Embedding '\(name)': standard deviation must be finite and non-negative, got \(deviation)")
        self.name = name
        self.vocabularySize = vocabularySize
        self.dimension = dimension
        self.standardDeviation = deviation
        self.table = layout.add("\(name).weight", shape: [vocabularySize, dimension], kind: .embedding)
    }

    public var parameterViews: [ParameterView] { [table] }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        let ids = tokenIds(input)
        cachedIds = (ids, input.shape)
        var output = Tensor(shape: input.shape + [dimension])
        let width = dimension
        output.withUnsafeMutableBufferPointer { y in
            parameters.withUnsafeBufferPointer(table) { w in
                for (position, id) in ids.enumerated() {
                    (y.baseAddress! + position * width).update(from: w.baseAddress! + id * width, count: width)
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        Tensor(shape: scatterGradient(outputGradient, into: &gradient))
    }

    public func accumulateParameterGradients(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) {
        _ = scatterGradient(outputGradient, into: &gradient)
    }

    /// Adds each output-gradient row to the table row of its id; returns the input's shape.
    private func scatterGradient(_ outputGradient: Tensor, into gradient: inout ParameterSet) -> [Int] {
        let (ids, shape) = requireCache(cachedIds)
        checkShape(outputGradient.shape, expected: shape + [dimension], what: "output gradient")
        let width = dimension
        outputGradient.withUnsafeBufferPointer { dy in
            gradient.withUnsafeMutableBufferPointer(table) { dw in
                for (position, id) in ids.enumerated() {
                    let source = position * width, target = id * width
                    for j in 0..<width { dw[target + j] += dy[source + j] }
                }
            }
        }
        return shape
    }

    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        parameters.withUnsafeMutableBufferPointer(table) { generator.fillNormal($0, standardDeviation: standardDeviation) }
    }

    /// The ids of `input` as integers; stops naming the layer on a non-integer or
    /// out-of-range id.
    private func tokenIds(_ input: Tensor) -> [Int] {
        precondition(!input.shape.isEmpty, "Embedding '\(name)': input must have at least one axis, got a scalar")
        var ids = [Int](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { x in
            for i in 0..<x.count {
                let value = x[i]
                precondition(
                    value.isFinite && value.rounded() == value,
                    "Embedding '\(name)': id \(value) at position \(i) is not an integer")
                precondition(
                    value >= 0 && value < Float(vocabularySize),
                    "Embedding '\(name)': id \(Int(value)) at position \(i) is out of range for vocabulary size \(vocabularySize)")
                ids[i] = Int(value)
            }
        }
        return ids
    }
}
