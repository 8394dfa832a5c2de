import Tensor

/// A differentiable layer with explicit forward and backward passes.
///
/// `forward` caches whatever `backward` needs (inputs, masks, normalisation statistics);
/// `backward` takes the gradient of the loss with respect to the last forward's output,
/// accumulates (adds) parameter gradients into `gradient` at the layer's views, and
/// returns the gradient with respect to the input. A layer is a reference type because
/// that cache is state shared between the two passes; one instance serves one model and
/// must not be used from two threads at once.
///
/// Conventions shared by every layer in this module:
/// - A layer is made with its name first and unlabelled, like `Sequential` and
///   `Residual`: `Linear("fc1", inputFeatures: 8, outputFeatures: 4, layout: &layout)`.
/// - A layer with parameters registers them at construction in a `ParameterLayout`
///   passed `inout`, as `"<name>.<parameter>"` (`"fc1.weight"`, `"fc1.bias"`,
///   `"ln.scale"`, `"ln.shift"`, `"tok.weight"`), and keeps the returned views. Containers
///   add no prefix, so names must be unique across the whole model: give nested layers
///   qualified names yourself (`"block1.fc1"`).
/// - Dense layers act on the last axis and treat all leading axes as a batch, so the same
///   `Linear` serves `[batch, features]` and `[batch, sequence, features]`.
/// - `initialize` overwrites only the layer's own views, drawing from the generator in a
///   fixed order, so a model's initial parameters depend only on the seed.
/// - Parameter-free layers (activations, dropout) take a default name.
public protocol Layer: AnyObject {
    /// Name used in error messages and as the prefix of the layer's parameter names.
    var name: String { get }

    /// The parameters this layer owns (empty for parameter-free layers).
    var parameterViews: [ParameterView] { get }

    /// Computes the output and caches what `backward` needs.
    func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor

    /// Accumulates parameter gradients into `gradient` and returns the input gradient.
    func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor

    /// Accumulates the same parameter gradients as `backward`, bit for bit, for a caller
    /// with no use for the input gradient: a model's first layer, whose input is data.
    /// Layers whose input gradient is a product of its own (`Linear`, `Conv2d`) skip it, as
    /// `Sequential` does for its first layer; the default runs `backward` and drops it.
    func accumulateParameterGradients(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet)

    /// Writes this layer's initial parameter values.
    func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator)

    /// Switches between training behaviour (dropout active) and evaluation behaviour.
    func setTraining(_ training: Bool)
}

extension Layer {
    public var parameterViews: [ParameterView] { [] }
    public func accumulateParameterGradients(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) {
        _ = backward(outputGradient, parameters: parameters, gradient: &gradient)
    }
    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {}
    public func setTraining(_ training: Bool) {}

    /// Stops with a message naming this layer when `actual` differs from `expected`.
    /// `nil` entries in `expected` match any extent.
    public func checkShape(_ actual: [Int], expected: [Int?], what: String = "input") {
        let matches = actual.count == expected.count
            && zip(actual, expected).allSatisfy { a, e in e == nil || e == a }
        precondition(
            matches,
            "\(Self.self) '\(name)': \(what) shape \(actual) does not match expected [\(expected.map { $0.map(String.init) ?? "*" }.joined(separator: ", "))]")
    }

    /// Stops with a message naming this layer unless `actual` has at least one axis and its
    /// last extent is `extent`; leading axes may be anything (they are a batch).
    public func checkLastAxis(_ actual: [Int], is extent: Int, what: String = "input") {
        precondition(
            actual.last == extent,
            "\(Self.self) '\(name)': \(what) shape \(actual) does not match expected [..., \(extent)]")
    }

    /// Stops with a message naming this layer unless `backward` follows a `forward`.
    public func requireCache<T>(_ cached: T?) -> T {
        guard let value = cached else {
            preconditionFailure("\(Self.self) '\(name)': backward called without a preceding forward")
        }
        return value
    }
}

/// `sums[j] += Σ_r matrix[r, j]` for a dense row-major `rows × columns` matrix (bias and
/// shift gradients), in Float, each column summed in row order onto its old value. Eight
/// columns go through one vector register at a time (a column never shares a lane with
/// another), so the bits are those of the plain row-by-row loop.
func addColumnSums(
    _ matrix: UnsafeBufferPointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutableBufferPointer<Float>
) {
    guard rows > 0, columns > 0, let m = matrix.baseAddress, let out = sums.baseAddress else { return }
    typealias Lanes = LaneMath.Lanes
    var j = 0
    while j + Lanes.scalarCount <= columns {
        var total = LaneMath.load(out + j)
        for row in 0..<rows { total += LaneMath.load(m + row * columns + j) }
        LaneMath.store(total, out + j)
        j += Lanes.scalarCount
    }
    for column in j..<columns {
        var total = out[column]
        for row in 0..<rows { total += m[row * columns + column] }
        out[column] = total
    }
}
