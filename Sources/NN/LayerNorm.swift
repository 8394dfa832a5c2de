import Tensor

/// Layer normalisation over the last axis (Ba, Kiros & Hinton 2016):
/// `y = γ ⊙ (x − μ) / √(σ² + ε) + β`, with `μ`, `σ²` the mean and biased variance of each
/// row of `features` elements.
///
/// Scale `γ` (`"<name>.scale"`, kind `.normScale`, initialised to 1) and shift `β`
/// (`"<name>.shift"`, kind `.normShift`, initialised to 0) have shape `[features]`. Leading
/// axes are a batch. Row statistics are accumulated in Double. Backward is exact:
/// `dx = (1/σ̂)·(g − mean(g) − x̂·mean(g ⊙ x̂))` with `g = γ ⊙ dy`, `x̂` the normalised input
/// and `σ̂ = √(σ² + ε)`.
public final class LayerNorm: Layer {
    public let name: String
    public let features: Int
    public let epsilon: Float
    /// `"<name>.scale"`, shape `[features]`.
    public let scale: ParameterView
    /// `"<name>.shift"`, shape `[features]`.
    public let shift: ParameterView

    private var cache: (normalized: Tensor, inverseDeviations: [Float])?

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
        let (width, epsilon) = (features, epsilon)
        var normalized = input
        var inverseDeviations = [Float](repeating: 0, count: rows)
        let output = Tensor(shape: input.shape) { y in
            normalized.withUnsafeMutableBufferPointer { xhat in
                inverseDeviations.withUnsafeMutableBufferPointer { inv in
                    parameters.withUnsafeBufferPointer(scale) { gamma in
                        parameters.withUnsafeBufferPointer(shift) { beta in
                            guard let y = y.baseAddress, let xhat = xhat.baseAddress, let inv = inv.baseAddress,
                                  let gamma = gamma.baseAddress, let beta = beta.baseAddress else { return }
                            let (ys, xs, invs, gammas, betas) = (
                                SharedBuffer(y), SharedBuffer(xhat), SharedBuffer(inv), SharedBuffer(gamma), SharedBuffer(beta))
                            // Rows are independent: the split does not change a bit.
                            ParallelRanges.forEach(rows, parts: ParallelRanges.parts(forElements: rows * width)) { range in
                                let (y, xhat, gamma, beta) = (ys.base, xs.base, gammas.base, betas.base)
                                for row in range {
                                    let o = row * width
                                    invs.base[row] = LayerNorm.normalizeRow(xhat + o, width, epsilon)
                                    for j in 0..<width { y[o + j] = gamma[j] * xhat[o + j] + beta[j] }
                                }
                            }
                        }
                    }
                }
            }
        }
        cache = (normalized, inverseDeviations)
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let (normalized, inverseDeviations) = requireCache(cache)
        checkShape(outputGradient.shape, expected: normalized.shape, what: "output gradient")
        let width = features
        var inputGradient = Tensor(shape: normalized.shape)
        let rows = inverseDeviations.count
        outputGradient.withUnsafeBufferPointer { dy in
            normalized.withUnsafeBufferPointer { xhat in
                gradient.withUnsafeMutableBufferPointer(scale) { dGamma in
                    for row in inverseDeviations.indices {
                        let o = row * width
                        for j in 0..<width { dGamma[j] += dy[o + j] * xhat[o + j] }
                    }
                }
                gradient.withUnsafeMutableBufferPointer(shift) { dBeta in
                    addColumnSums(dy, rows: inverseDeviations.count, columns: width, into: dBeta)
                }
                parameters.withUnsafeBufferPointer(scale) { gamma in
                    inputGradient.withUnsafeMutableBufferPointer { dx in
                        guard let dx = dx.baseAddress, let dy = dy.baseAddress, let xhat = xhat.baseAddress,
                              let gamma = gamma.baseAddress else { return }
                        let (dxs, dys, xs, gammas) = (SharedBuffer(dx), SharedBuffer(dy), SharedBuffer(xhat), SharedBuffer(gamma))
                        // Each row's input gradient reads and writes that row alone: the split
                        // does not change a bit (the parameter gradients above sum over rows
                        // in order, on one thread).
                        ParallelRanges.forEach(rows, parts: ParallelRanges.parts(forElements: rows * width)) { range in
                            let (dx, dy, xhat, gamma) = (dxs.base, dys.base, xs.base, gammas.base)
                            for row in range {
                                let o = row * width
                                let inverse = inverseDeviations[row]
                                var sumG = 0.0, sumGX = 0.0
                                for j in 0..<width {
                                    let g = Double(gamma[j] * dy[o + j])
                                    sumG += g
                                    sumGX += g * Double(xhat[o + j])
                                }
                                let meanG = Float(sumG / Double(width)), meanGX = Float(sumGX / Double(width))
                                for j in 0..<width {
                                    dx[o + j] = inverse * (gamma[j] * dy[o + j] - meanG - xhat[o + j] * meanGX)
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        parameters.withUnsafeMutableBufferPointer(scale) { $0.update(repeating: 1) }
        parameters.withUnsafeMutableBufferPointer(shift) { $0.update(repeating: 0) }
    }

    /// Normalises `width` contiguous elements in place to zero mean and unit variance
    /// (up to `epsilon`) and returns `1/√(σ² + ε)`.
    private static func normalizeRow(_ x: UnsafeMutablePointer<Float>, _ width: Int, _ epsilon: Float) -> Float {
        var sum = 0.0
        for j in 0..<width { sum += Double(x[j]) }
        let mean = sum / Double(width)
        var squares = 0.0
        for j in 0..<width {
            let d = Double(x[j]) - mean
            squares += d * d
        }
        let inverse = 1 / (squares / Double(width) + Double(epsilon)).squareRoot()
        let meanF = Float(mean), inverseF = Float(inverse)
        for j in 0..<width { x[j] = (x[j] - meanF) * inverseF }
        return inverseF
    }
}
