import Tensor

/// Multi-head self-attention on `[batch, length, dimension]` inputs, without the
/// residual: causal (each position sees itself and the positions before it, the attention
/// block of a decoder-only transformer) or unmasked (every element sees every element, as
/// in an encoder over an unordered set such as the tsp workload's cities).
///
/// With `d = dimension / heads` and projections in PyTorch's convention `y = x·Wᵀ + b`:
///
///     Q = X·Wqᵀ + bq,  K = X·Wkᵀ + bk,  V = X·Wvᵀ + bv          (each [batch·length, dimension])
///     for every sequence and head h (columns h·d ..< (h+1)·d):
///         P_h = softmax(Q_h·K_hᵀ / √d + M),   C_h = P_h·V_h
///     Y = C·Woᵀ + bo
///
/// with `M[i][j] = −∞ for j > i` when `causal` (so position `i` only sees positions
/// `0...i`) and `M = 0` otherwise. Parameters, each `[dimension, dimension]`
/// and stored `[out, in]`: `"<name>.query.weight"` (kind `.attentionQ`), `"<name>.key.weight"`
/// (`.attentionK`), `"<name>.value.weight"` (`.attentionV`), `"<name>.output.weight"`
/// (`.attentionOut`); with `bias` on, `"<name>.query.bias"`, `"<name>.key.bias"`,
/// `"<name>.value.bias"`, `"<name>.output.bias"` (kind `.bias`, `[dimension]`).
///
/// Every product goes through `BLAS.gemm`: the four projections are one GEMM each over
/// all `batch·length` rows, and the per-(sequence, head) products address the head's
/// columns in place through leading dimensions, so no head is ever copied out; the
/// (sequence, head) pairs are split over the trial's threads. The softmax runs once over
/// every row of every head, on oneDNN's primitive (`OneDNNSoftmax`), with −∞ above the
/// diagonal when causal. The backward pass is exact:
/// `dP = dC_h·V_hᵀ`, `dV_h = P_hᵀ·dC_h`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))` (masked entries
/// have `P = 0`, so their `dS` is zero), `dQ_h = dS·K_h / √d`, `dK_h = dSᵀ·Q_h / √d`.
public final class SelfAttention: Layer {
    public let name: String
    /// Model width (last axis of input and output).
    public let dimension: Int
    /// Number of attention heads; divides `dimension`.
    public let heads: Int
    /// Width of one head, `dimension / heads`.
    public let headDimension: Int
    /// Whether position `i` attends to positions `0...i` only (else to all).
    public let causal: Bool

    public let queryWeight: ParameterView
    public let keyWeight: ParameterView
    public let valueWeight: ParameterView
    public let outputWeight: ParameterView
    public let queryBias: ParameterView?
    public let keyBias: ParameterView?
    public let valueBias: ParameterView?
    public let outputBias: ParameterView?

    /// What backward needs from the last forward.
    private struct Cache {
        let input: Tensor
        let query: Tensor
        let key: Tensor
        let value: Tensor
        /// Attention weights `[batch, heads, length, length]`, zero above the diagonal.
        let probabilities: Tensor
        /// Concatenated head outputs `[batch·length, dimension]`, before the output projection.
        let context: Tensor
        let batch: Int
        let length: Int
    }

    private var cache: Cache?
    private var softmaxKernels: [[Int]: OneDNNSoftmax] = [:]

    /// An attention layer of width `dimension` with `heads` heads, `causal` or unmasked;
    /// registers its parameters in `layout`.
    public init(name: String, dimension: Int, heads: Int, causal: Bool, bias: Bool = true, layout: inout ParameterLayout) {
        precondition(dimension >= 1, "SelfAttention '\(name)': dimension must be positive, got \(dimension)")
        precondition(heads >= 1, "SelfAttention '\(name)': heads must be positive, got \(heads)")
        precondition(
            dimension % heads == 0,
            "SelfAttention '\(name)': dimension \(dimension) is not divisible by heads \(heads)")
        self.name = name
        self.dimension = dimension
        self.heads = heads
        self.headDimension = dimension / heads
        self.causal = causal
        let square = [dimension, dimension]
        queryWeight = layout.add("\(name).query.weight", shape: square, kind: .attentionQ)
        queryBias = bias ? layout.add("\(name).query.bias", shape: [dimension], kind: .bias) : nil
        keyWeight = layout.add("\(name).key.weight", shape: square, kind: .attentionK)
        keyBias = bias ? layout.add("\(name).key.bias", shape: [dimension], kind: .bias) : nil
        valueWeight = layout.add("\(name).value.weight", shape: square, kind: .attentionV)
        valueBias = bias ? layout.add("\(name).value.bias", shape: [dimension], kind: .bias) : nil
        outputWeight = layout.add("\(name).output.weight", shape: square, kind: .attentionOut)
        outputBias = bias ? layout.add("\(name).output.bias", shape: [dimension], kind: .bias) : nil
    }

    public var parameterViews: [ParameterView] {
        [queryWeight, queryBias, keyWeight, keyBias, valueWeight, valueBias, outputWeight, outputBias].compactMap { $0 }
    }

    /// `1 / √headDimension`, the score scale.
    public var scoreScale: Float { 1 / Float(headDimension).squareRoot() }

    // MARK: Forward

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        checkShape(input.shape, expected: [nil, nil, dimension])
        let batch = input.shape[0], length = input.shape[1]
        let rows = batch * length
        let query = project(input, rows: rows, queryWeight, queryBias, parameters)
        let key = project(input, rows: rows, keyWeight, keyBias, parameters)
        let value = project(input, rows: rows, valueWeight, valueBias, parameters)
        // `attend` writes every score square in full and every head's columns of the context.
        var probabilities = Tensor(unsafeUninitializedShape: [batch, heads, length, length])
        var context = Tensor(unsafeUninitializedShape: [rows, dimension])
        attend(query: query, key: key, value: value, batch: batch, length: length,
               probabilities: &probabilities, context: &context)
        cache = Cache(
            input: input, query: query, key: key, value: value,
            probabilities: probabilities, context: context, batch: batch, length: length)
        return project(context, rows: rows, outputWeight, outputBias, parameters)
            .reshaped(to: [batch, length, dimension])
    }

    /// Scores, masked softmax and weighted values for every (sequence, head): the score
    /// products per head, one softmax over every row of every head (oneDNN's), then the
    /// weighted values per head.
    private func attend(
        query: Tensor, key: Tensor, value: Tensor, batch: Int, length: Int,
        probabilities: inout Tensor, context: inout Tensor
    ) {
        let (d, t, dh, headCount, causal) = (dimension, length, headDimension, heads, causal)
        let scale = scoreScale
        guard batch * t > 0 else { return }
        let softmax = softmaxKernel(rows: batch * heads * t, width: t)
        query.withUnsafeBufferPointer { qb in
            key.withUnsafeBufferPointer { kb in
                value.withUnsafeBufferPointer { vb in
                    probabilities.withUnsafeMutableBufferPointer { pb in
                        context.withUnsafeMutableBufferPointer { cb in
                            guard let q = qb.baseAddress, let k = kb.baseAddress, let v = vb.baseAddress,
                                  let p = pb.baseAddress, let c = cb.baseAddress else { return }
                            let (qs, ks, vs, ps, cs) = (SharedBuffer(q), SharedBuffer(k), SharedBuffer(v), SharedBuffer(p), SharedBuffer(c))
                            forEachHead(batch: batch, length: t) { b, h in
                                let head = b * t * d + h * dh
                                let scores = ps.base + (b * headCount + h) * t * t
                                // S = Q_h·K_hᵀ / √d  (t × t)
                                BLAS.gemm(
                                    .none, .transposed, m: t, n: t, k: dh, alpha: scale,
                                    a: qs.base + head, lda: d, b: ks.base + head, ldb: d, c: scores, ldc: t)
                                // Causal: row i sees columns 0...i; −∞ gives the rest probability 0.
                                if causal {
                                    for i in 0..<(t - 1) { (scores + i * t + i + 1).update(repeating: -.infinity, count: t - 1 - i) }
                                }
                            }
                            softmax.forward(inPlace: ps.base)
                            forEachHead(batch: batch, length: t) { b, h in
                                let head = b * t * d + h * dh
                                // C_h = P_h·V_h  (t × dh), written into the head's columns.
                                BLAS.gemm(
                                    .none, .none, m: t, n: dh, k: t,
                                    a: ps.base + (b * headCount + h) * t * t, lda: t, b: vs.base + head, ldb: d,
                                    c: cs.base + head, ldc: d)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The softmax primitives for `rows` rows of `width` (kept per shape: a training batch
    /// and an evaluation chunk differ).
    private func softmaxKernel(rows: Int, width: Int) -> OneDNNSoftmax {
        if let kernel = softmaxKernels[[rows, width]] { return kernel }
        let kernel = OneDNNSoftmax(rows: rows, width: width)
        softmaxKernels[[rows, width]] = kernel
        return kernel
    }

    /// Calls `body(b, h)` for every (sequence, head), the pairs split over the trial's
    /// threads when there are enough scores to repay waking them. Every pair writes only
    /// its own head's columns and score square, so the bits do not depend on the split.
    private func forEachHead(batch: Int, length: Int, _ body: @Sendable (Int, Int) -> Void) {
        let pairs = batch * heads, heads = heads
        let parts = ParallelRanges.parts(forElements: pairs * length * length)
        ParallelRanges.forEach(pairs, parts: parts) { range in
            for pair in range { body(pair / heads, pair % heads) }
        }
    }

    // MARK: Backward

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let cache = requireCache(cache)
        let (batch, length) = (cache.batch, cache.length)
        checkShape(outputGradient.shape, expected: [batch, length, dimension], what: "output gradient")
        let rows = batch * length
        // Every gradient below is written in full (products with β = 0, then β = 1) before it is read.
        var inputGradient = Tensor(unsafeUninitializedShape: [rows, dimension])
        // Output projection: dWo += dYᵀ·C, dbo += Σ dY, dC = dY·Wo.
        var contextGradient = Tensor(unsafeUninitializedShape: [rows, dimension])
        projectBackward(
            outputGradient, input: cache.context, rows: rows, outputWeight, outputBias,
            parameters: parameters, gradient: &gradient, inputGradient: &contextGradient, accumulate: false)

        var queryGradient = Tensor(unsafeUninitializedShape: [rows, dimension])
        var keyGradient = Tensor(unsafeUninitializedShape: [rows, dimension])
        var valueGradient = Tensor(unsafeUninitializedShape: [rows, dimension])
        attendBackward(
            cache, contextGradient: contextGradient,
            queryGradient: &queryGradient, keyGradient: &keyGradient, valueGradient: &valueGradient)

        // Input projections: dX = dQ·Wq + dK·Wk + dV·Wv.
        projectBackward(
            queryGradient, input: cache.input, rows: rows, queryWeight, queryBias,
            parameters: parameters, gradient: &gradient, inputGradient: &inputGradient, accumulate: false)
        projectBackward(
            keyGradient, input: cache.input, rows: rows, keyWeight, keyBias,
            parameters: parameters, gradient: &gradient, inputGradient: &inputGradient, accumulate: true)
        projectBackward(
            valueGradient, input: cache.input, rows: rows, valueWeight, valueBias,
            parameters: parameters, gradient: &gradient, inputGradient: &inputGradient, accumulate: true)
        return inputGradient.reshaped(to: [batch, length, dimension])
    }

    /// Gradients through `attend`: from dC to dQ, dK, dV.
    ///
    /// Per (sequence, head): `dP = dC_h·V_hᵀ`, `dV_h = P_hᵀ·dC_h`; then the softmax
    /// backward `dS = P ⊙ (dP − rowsum(dP ⊙ P))` for all heads at once (masked entries
    /// have `P = 0`, so their `dS` is zero); then `dQ_h = dS·K_h / √d`, `dK_h = dSᵀ·Q_h / √d`.
    private func attendBackward(
        _ cache: Cache, contextGradient: Tensor,
        queryGradient: inout Tensor, keyGradient: inout Tensor, valueGradient: inout Tensor
    ) {
        let (d, t, dh, batch, headCount) = (dimension, cache.length, headDimension, cache.batch, heads)
        let scale = scoreScale
        var probabilityGradient = Tensor(unsafeUninitializedShape: cache.probabilities.shape)  // β = 0 products
        cache.probabilities.withUnsafeBufferPointer { pb in
            cache.value.withUnsafeBufferPointer { vb in
                contextGradient.withUnsafeBufferPointer { dcb in
                    probabilityGradient.withUnsafeMutableBufferPointer { dpb in
                        valueGradient.withUnsafeMutableBufferPointer { dvb in
                            guard let p = pb.baseAddress, let v = vb.baseAddress, let dc = dcb.baseAddress,
                                  let dp = dpb.baseAddress, let dv = dvb.baseAddress else { return }
                            let (ps, vs, dcs, dps, dvs) = (SharedBuffer(p), SharedBuffer(v), SharedBuffer(dc), SharedBuffer(dp), SharedBuffer(dv))
                            forEachHead(batch: batch, length: t) { b, h in
                                let head = b * t * d + h * dh
                                let square = (b * headCount + h) * t * t
                                BLAS.gemm(
                                    .none, .transposed, m: t, n: t, k: dh,
                                    a: dcs.base + head, lda: d, b: vs.base + head, ldb: d, c: dps.base + square, ldc: t)
                                BLAS.gemm(
                                    .transposed, .none, m: t, n: dh, k: t,
                                    a: ps.base + square, lda: t, b: dcs.base + head, ldb: d, c: dvs.base + head, ldc: d)
                            }
                        }
                    }
                }
            }
        }
        guard batch * t > 0 else { return }
        let softmax = softmaxKernel(rows: batch * headCount * t, width: t)
        let scoreGradient = Tensor(shape: cache.probabilities.shape) { dsb in
            cache.probabilities.withUnsafeBufferPointer { pb in
                probabilityGradient.withUnsafeBufferPointer { dpb in
                    softmax.backward(output: pb.baseAddress!, outputGradient: dpb.baseAddress!, into: dsb.baseAddress!)
                }
            }
        }
        scoreGradient.withUnsafeBufferPointer { dsb in
            cache.query.withUnsafeBufferPointer { qb in
                cache.key.withUnsafeBufferPointer { kb in
                    queryGradient.withUnsafeMutableBufferPointer { dqb in
                        keyGradient.withUnsafeMutableBufferPointer { dkb in
                            guard let ds = dsb.baseAddress, let q = qb.baseAddress, let k = kb.baseAddress,
                                  let dq = dqb.baseAddress, let dk = dkb.baseAddress else { return }
                            let (dss, qs, ks, dqs, dks) = (SharedBuffer(ds), SharedBuffer(q), SharedBuffer(k), SharedBuffer(dq), SharedBuffer(dk))
                            forEachHead(batch: batch, length: t) { b, h in
                                let head = b * t * d + h * dh
                                let square = (b * headCount + h) * t * t
                                BLAS.gemm(
                                    .none, .none, m: t, n: dh, k: t, alpha: scale,
                                    a: dss.base + square, lda: t, b: ks.base + head, ldb: d, c: dqs.base + head, ldc: d)
                                BLAS.gemm(
                                    .transposed, .none, m: t, n: dh, k: t, alpha: scale,
                                    a: dss.base + square, lda: t, b: qs.base + head, ldb: d, c: dks.base + head, ldc: d)
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Projections

    /// `x·Wᵀ + b` for `rows` rows of width `dimension`, as a `[rows, dimension]` tensor.
    private func project(
        _ x: Tensor, rows: Int, _ weight: ParameterView, _ bias: ParameterView?, _ parameters: ParameterSet
    ) -> Tensor {
        guard rows > 0 else { return Tensor(shape: [rows, dimension]) }
        let d = dimension
        // Every element is written: the bias rows (or the product's β = 0) overwrite them.
        return Tensor(shape: [rows, dimension]) { yb in
            if let bias {
                parameters.withUnsafeBufferPointer(bias) { bb in
                    for r in 0..<rows { (yb.baseAddress! + r * d).update(from: bb.baseAddress!, count: d) }
                }
            }
            x.withUnsafeBufferPointer { xb in
                parameters.withUnsafeBufferPointer(weight) { wb in
                    BLAS.gemm(
                        .none, .transposed, m: rows, n: d, k: d, a: xb.baseAddress!, b: wb.baseAddress!,
                        beta: bias == nil ? 0 : 1, c: yb.baseAddress!)
                }
            }
        }
    }

    /// Gradients of `project`: `dW += dYᵀ·X`, `db += Σ_rows dY`, and `dX = dY·W`
    /// (added to `inputGradient` when `accumulate`, written over it otherwise).
    private func projectBackward(
        _ outputGradient: Tensor, input: Tensor, rows: Int, _ weight: ParameterView, _ bias: ParameterView?,
        parameters: ParameterSet, gradient: inout ParameterSet, inputGradient: inout Tensor, accumulate: Bool
    ) {
        guard rows > 0 else { return }
        let d = dimension
        outputGradient.withUnsafeBufferPointer { dyb in
            let dy = dyb.baseAddress!
            input.withUnsafeBufferPointer { xb in
                gradient.withUnsafeMutableBufferPointer(weight) { dwb in
                    BLAS.gemm(.transposed, .none, m: d, n: d, k: rows, a: dy, b: xb.baseAddress!, beta: 1, c: dwb.baseAddress!)
                }
            }
            if let bias {
                gradient.withUnsafeMutableBufferPointer(bias) { dbb in
                    Tensor.accumulateColumnSums(dyb, rows: rows, columns: d, into: dbb)
                }
            }
            parameters.withUnsafeBufferPointer(weight) { wb in
                inputGradient.withUnsafeMutableBufferPointer { dxb in
                    BLAS.gemm(
                        .none, .none, m: rows, n: d, k: d, a: dy, b: wb.baseAddress!,
                        beta: accumulate ? 1 : 0, c: dxb.baseAddress!)
                }
            }
        }
    }

    // MARK: Initialisation

    /// Glorot (Xavier) uniform initialisation of the four projections, `U(−a, a)` with
    /// `a = √(6 / (fanIn + fanOut)) = √(3 / dimension)`, as PyTorch's
    /// `nn.MultiheadAttention` does for its input projections: it keeps the variance of
    /// Q, K and V equal to that of the input. Biases start at zero.
    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        let bound = (3 / Float(dimension)).squareRoot()
        for (weight, bias) in [(queryWeight, queryBias), (keyWeight, keyBias), (valueWeight, valueBias), (outputWeight, outputBias)] {
            parameters.withUnsafeMutableBufferPointer(weight) { w in
                generator.fillUniform(w, low: -bound, high: bound)
            }
            if let bias {
                parameters.withUnsafeMutableBufferPointer(bias) { b in b.update(repeating: 0) }
            }
        }
    }
}
