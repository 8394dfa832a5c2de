import Tensor

/// A dense (fully connected) layer `y = x·Wᵀ + b` on the last axis.
///
/// The weight has shape `[outputFeatures, inputFeatures]` (PyTorch's layout, so a row is
/// one output unit and `ParameterView.matrixShape` is the natural matrix for
/// matrix-aware optimizers); the optional bias has shape `[outputFeatures]`. Inputs of
/// shape `[..., inputFeatures]` are treated as a `rows × inputFeatures` matrix with all
/// leading axes flattened, so one `gemm` serves `[batch, in]` and `[batch, seq, in]` alike.
/// Forward and both backward products go through `BLAS.gemm`.
public final class Linear: Layer {
    /// How `initialize` draws the weight. The bias always starts at zero.
    public enum Initialization: Sendable, Equatable {
        /// He/Kaiming uniform, `U(−√(6/in), √(6/in))`: weight variance `2/in`, which keeps
        /// the activation variance constant through ReLU/GELU layers. The default, since
        /// most of OptBench's dense layers feed a rectifier.
        case heUniform
        /// LeCun normal, `N(0, 1/in)`: variance-preserving for linear or tanh layers and
        /// for output projections (logits).
        case lecunNormal
        /// Normal with a given standard deviation (GPT-style `0.02`, for example).
        case normal(standardDeviation: Float)
        /// All zeros (a zero-initialised last layer, for instance).
        case zeros
    }

    public let name: String
    public let inputFeatures: Int
    public let outputFeatures: Int
    public let initialization: Initialization
    /// `"<name>.weight"`, shape `[outputFeatures, inputFeatures]`.
    public let weight: ParameterView
    /// `"<name>.bias"`, shape `[outputFeatures]`, if the layer has a bias.
    public let bias: ParameterView?

    private var cachedInput: Tensor?

    /// Registers `"<name>.weight"` (of `weightKind`, `.weight` unless this is an attention
    /// projection) and, if `bias` is true, `"<name>.bias"` (kind `.bias`) in `layout`.
    public init(
        _ name: String, inputFeatures: Int, outputFeatures: Int, bias: Bool = true,
        weightKind: ParameterKind = .weight, initialization: Initialization = .heUniform,
        layout: inout ParameterLayout
    ) {
        precondition(
            inputFeatures > 0 && outputFeatures > 0,
            "Linear '\(name)': feature counts must be positive, got input \(inputFeatures), output \(outputFeatures)")
        precondition(
            weightKind.isMatrixLike,
            "Linear '\(name)': weight kind must be matrix-like, got \(weightKind.rawValue)")
        self.name = name
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        self.initialization = initialization
        self.weight = layout.add("\(name).weight", shape: [outputFeatures, inputFeatures], kind: weightKind)
        self.bias = bias ? layout.add("\(name).bias", shape: [outputFeatures], kind: .bias) : nil
    }

    public var parameterViews: [ParameterView] { [weight] + (bias.map { [$0] } ?? []) }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        checkLastAxis(input.shape, is: inputFeatures)
        cachedInput = input
        let rows = input.count / inputFeatures
        let shape = Array(input.shape.dropLast()) + [outputFeatures]
        guard rows > 0 else { return Tensor(shape: shape) }
        // Every element is written: the bias rows (or the product's β = 0) overwrite them.
        return Tensor(shape: shape) { y in
            if let bias {
                parameters.withUnsafeBufferPointer(bias) { b in
                    for row in 0..<rows {
                        (y.baseAddress! + row * outputFeatures).update(from: b.baseAddress!, count: outputFeatures)
                    }
                }
            }
            input.withUnsafeBufferPointer { x in
                parameters.withUnsafeBufferPointer(weight) { w in
                    BLAS.gemm(
                        .none, .transposed, m: rows, n: outputFeatures, k: inputFeatures,
                        a: x.baseAddress!, b: w.baseAddress!, beta: bias == nil ? 0 : 1, c: y.baseAddress!)
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let input = accumulateGradients(outputGradient, into: &gradient)
        guard input.count > 0 else { return Tensor(zerosLike: input) }
        // dx = dy · W  (rows × out · out × in); β = 0 writes every element.
        return Tensor(shape: input.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                parameters.withUnsafeBufferPointer(weight) { w in
                    BLAS.gemm(
                        .none, .none, m: input.count / inputFeatures, n: inputFeatures, k: outputFeatures,
                        a: dy.baseAddress!, b: w.baseAddress!, c: dx.baseAddress!)
                }
            }
        }
    }

    /// The weight and bias gradients alone: the input gradient's product is skipped.
    public func accumulateParameterGradients(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) {
        _ = accumulateGradients(outputGradient, into: &gradient)
    }

    /// Adds `dyᵀ · x` to the weight gradient and the column sums of `dy` to the bias
    /// gradient; returns the cached input.
    private func accumulateGradients(_ outputGradient: Tensor, into gradient: inout ParameterSet) -> Tensor {
        let input = requireCache(cachedInput)
        checkShape(
            outputGradient.shape, expected: Array(input.shape.dropLast()) + [outputFeatures],
            what: "output gradient")
        let rows = input.count / inputFeatures
        guard rows > 0 else { return input }
        outputGradient.withUnsafeBufferPointer { dy in
            input.withUnsafeBufferPointer { x in
                // dW += dyᵀ · x  (out × rows · rows × in)
                gradient.withUnsafeMutableBufferPointer(weight) { dw in
                    BLAS.gemm(
                        .transposed, .none, m: outputFeatures, n: inputFeatures, k: rows,
                        a: dy.baseAddress!, b: x.baseAddress!, beta: 1, c: dw.baseAddress!)
                }
            }
            if let bias {
                gradient.withUnsafeMutableBufferPointer(bias) { db in
                    addColumnSums(dy, rows: rows, columns: outputFeatures, into: db)
                }
            }
        }
        return input
    }

    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        let fanIn = Float(inputFeatures)
        parameters.withUnsafeMutableBufferPointer(weight) { w in
            switch initialization {
            case .heUniform:
                let bound = (6 / fanIn).squareRoot()
                generator.fillUniform(w, low: -bound, high: bound)
            case .lecunNormal:
                generator.fillNormal(w, standardDeviation: (1 / fanIn).squareRoot())
            case .normal(let standardDeviation):
                generator.fillNormal(w, standardDeviation: standardDeviation)
            case .zeros:
                w.update(repeating: 0)
            }
        }
        if let bias {
            parameters.withUnsafeMutableBufferPointer(bias) { $0.update(repeating: 0) }
        }
    }
}
