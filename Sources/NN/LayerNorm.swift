import Tensor

/// Layer normalisation over the last axis (Ba, Kiros & Hinton 2016):
/// `y = γ ⊙ (x − μ) / √(σ² + ε) + β`, with `μ`, `σ²` the mean and biased variance of each
/// row of `features` elements.
///
/// Scale `γ` (`"<name>.scale"`, kind `.normScale`, initialised to 1) and shift `β`
/// (`"<name>.shift"`, kind `.normShift`, initialised to 0) have shape `[features]`. Leading
/// axes are a batch. Backward is exact:
/// `dx = (1/σ̂)·(g − mean(g) − x̂·mean(g ⊙ x̂))` with `g = γ ⊙ dy`, `x̂` the normalised input
/// and `σ̂ = √(σ² + ε)`; `dγ += Σ_rows dy ⊙ x̂`, `dβ += Σ_rows dy`.
///
/// Both passes run oneDNN's layer-normalisation primitives (`OneDNNLayerNormalization`,
/// one per row count seen), which replaced row loops in Swift that summed in Double.
public final class LayerNorm: Layer {
    public let name: String
    public let features: Int
    public let epsilon: Float
    /// `"<name>.scale"`, shape `[features]`.
    public let scale: ParameterView
    /// `"<name>.shift"`, shape `[features]`.
    public let shift: ParameterView

    /// The last forward's input and each row's mean and variance.
    private var cache: (input: Tensor, mean: [Float], variance: [Float])?
    /// oneDNN primitives by row count (a training batch and an evaluation chunk differ).
    private var kernels: [Int: OneDNNLayerNormalization] = [:]

    public init(_ name: String, features: Int, epsilon: Float = 1e-5, layout: inout ParameterLayout) {
        precondition(features > 0, "LayerNorm '\(name)': features must be positive, got \(features)")
        precondition(epsilon > 0 && epsilon.isFinite, "LayerNorm '\(name)': epsilon must be positive and finite, got \(epsilon)")
        self.name = name
        self.features = features
        self.epsilon = epsilon
        self.scale = layout.add("\(name).scale", shape: [features], kind: .normScale)
        self.shift = layout.add("\(name).shift", shape: [features], kind: .normShift)
    }

    public var parameterViews: [ParameterView] { [scale, shift] }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        checkLastAxis(input.shape, is: features)
        let rows = input.count / features
        var mean = [Float](repeating: 0, count: rows), variance = [Float](repeating: 0, count: rows)
        guard rows > 0 else {
            cache = (input, mean, variance)
            return input
        }
        let kernel = kernel(rows: rows)
        let output = Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                parameters.withUnsafeBufferPointer(scale) { gamma in
                    parameters.withUnsafeBufferPointer(shift) { beta in
                        mean.withUnsafeMutableBufferPointer { mu in
                            variance.withUnsafeMutableBufferPointer { sigma2 in
                                kernel.forward(
                                    x.baseAddress!, scale: gamma.baseAddress!, shift: beta.baseAddress!,
                                    into: y.baseAddress!, mean: mu.baseAddress!, variance: sigma2.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        cache = (input, mean, variance)
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let (input, mean, variance) = requireCache(cache)
        checkShape(outputGradient.shape, expected: input.shape, what: "output gradient")
        let rows = mean.count
        guard rows > 0 else { return input }
        let kernel = kernel(rows: rows)
        // The primitive writes its parameter gradients; they are added to `gradient` after.
        var parameterGradients = [Float](repeating: 0, count: 2 * features)
        let inputGradient = Tensor(shape: input.shape) { dx in
            input.withUnsafeBufferPointer { x in
                outputGradient.withUnsafeBufferPointer { dy in
                    parameters.withUnsafeBufferPointer(scale) { gamma in
                        parameters.withUnsafeBufferPointer(shift) { beta in
                            mean.withUnsafeBufferPointer { mu in
                                variance.withUnsafeBufferPointer { sigma2 in
                                    parameterGradients.withUnsafeMutableBufferPointer { dp in
                                        kernel.backward(
                                            input: x.baseAddress!, mean: mu.baseAddress!, variance: sigma2.baseAddress!,
                                            scale: gamma.baseAddress!, shift: beta.baseAddress!,
                                            outputGradient: dy.baseAddress!, into: dx.baseAddress!,
                                            scaleGradient: dp.baseAddress!, shiftGradient: dp.baseAddress! + features)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let width = features
        gradient.withUnsafeMutableBufferPointer(scale) { dGamma in
            for j in 0..<width { dGamma[j] += parameterGradients[j] }
        }
        gradient.withUnsafeMutableBufferPointer(shift) { dBeta in
            for j in 0..<width { dBeta[j] += parameterGradients[width + j] }
        }
        return inputGradient
    }

    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        parameters.withUnsafeMutableBufferPointer(scale) { $0.update(repeating: 1) }
        parameters.withUnsafeMutableBufferPointer(shift) { $0.update(repeating: 0) }
    }

    private func kernel(rows: Int) -> OneDNNLayerNormalization {
        if let kernel = kernels[rows] { return kernel }
        let kernel = OneDNNLayerNormalization(rows: rows, features: features, epsilon: epsilon)
        kernels[rows] = kernel
        return kernel
    }
}
