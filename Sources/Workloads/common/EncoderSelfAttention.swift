import NN
import Tensor

/// Multi-head self-attention WITHOUT a mask on `[batch, items, dimension]` sets: every item
/// attends to every item (the tsp encoder sees an unordered set of cities, the jobshop
/// encoder one of operations; `CausalSelfAttention` in NN masks the future and would impose
/// an order). Shared by the set encoders of the combinatorial workloads (`AttentionSetEncoder`).
///
/// With `d = dimension / heads`: `Q = XWqᵀ + bq`, `K = XWkᵀ + bk`, `V = XWvᵀ + bv`, per
/// instance and head `P_h = softmax(Q_h K_hᵀ / √d)`, `C_h = P_h V_h`, `Y = CWoᵀ + bo`.
/// Parameters `"<name>.query|key|value|output.weight"` (`[dimension, dimension]`, kinds
/// `.attentionQ/K/V/Out`) and `.bias` (`[dimension]`). Every product goes through
/// `BLAS.gemm`, head columns addressed in place by leading dimensions; backward is exact:
/// `dP = dC_h V_hᵀ`, `dV_h = P_hᵀ dC_h`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))`,
/// `dQ_h = dS K_h / √d`, `dK_h = dSᵀ Q_h / √d`.
final class EncoderSelfAttention: Layer {
    let name: String
    let dimension: Int
    let heads: Int
    let headDimension: Int
    let projections: [(weight: ParameterView, bias: ParameterView)]  // query, key, value, output

    private struct Cache {
        let input: Tensor
        let query: Tensor, key: Tensor, value: Tensor
        let probabilities: Tensor  // [batch, heads, n, n]
        let context: Tensor  // [batch·n, dimension]
        let batch: Int, length: Int
    }
    private var cache: Cache?

    init(_ name: String, dimension: Int, heads: Int, layout: inout ParameterLayout) {
        precondition(dimension >= 1 && heads >= 1 && dimension % heads == 0,
                     "EncoderSelfAttention '\(name)': dimension \(dimension) must be a positive multiple of heads \(heads)")
        self.name = name
        self.dimension = dimension
        self.heads = heads
        headDimension = dimension / heads
        let kinds: [(String, ParameterKind)] = [("query", .attentionQ), ("key", .attentionK), ("value", .attentionV), ("output", .attentionOut)]
        projections = kinds.map { part, kind in
            (layout.add("\(name).\(part).weight", shape: [dimension, dimension], kind: kind),
             layout.add("\(name).\(part).bias", shape: [dimension], kind: .bias))
        }
    }

    var parameterViews: [ParameterView] { projections.flatMap { [$0.weight, $0.bias] } }

    private var scale: Float { 1 / Float(headDimension).squareRoot() }

    func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        checkShape(input.shape, expected: [nil, nil, dimension])
        let (batch, n) = (input.shape[0], input.shape[1])
        let rows = batch * n
        let query = project(input, rows: rows, 0, parameters)
        let key = project(input, rows: rows, 1, parameters)
        let value = project(input, rows: rows, 2, parameters)
        var probabilities = Tensor(shape: [batch, heads, n, n])
        var context = Tensor(shape: [rows, dimension])
        let (d, dh, s) = (dimension, headDimension, scale)
        query.withUnsafeBufferPointer { qb in
            key.withUnsafeBufferPointer { kb in
                value.withUnsafeBufferPointer { vb in
                    probabilities.withUnsafeMutableBufferPointer { pb in
                        context.withUnsafeMutableBufferPointer { cb in
                            guard let q = qb.baseAddress, let k = kb.baseAddress, let v = vb.baseAddress,
                                  let p = pb.baseAddress, let c = cb.baseAddress else { return }
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    let head = b * n * d + h * dh
                                    let scores = p + (b * heads + h) * n * n
                                    BLAS.gemm(.none, .transposed, m: n, n: n, k: dh, alpha: s,
                                              a: q + head, lda: d, b: k + head, ldb: d, c: scores, ldc: n)
                                    for i in 0..<n { Tensor.softmaxRow(scores + i * n, n) }
                                    BLAS.gemm(.none, .none, m: n, n: dh, k: n,
                                              a: scores, lda: n, b: v + head, ldb: d, c: c + head, ldc: d)
                                }
                            }
                        }
                    }
                }
            }
        }
        cache = Cache(input: input, query: query, key: key, value: value, probabilities: probabilities, context: context, batch: batch, length: n)
        return project(context, rows: rows, 3, parameters).reshaped(to: [batch, n, dimension])
    }

    func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let cache = requireCache(cache)
        let (batch, n) = (cache.batch, cache.length)
        checkShape(outputGradient.shape, expected: [batch, n, dimension], what: "output gradient")
        let rows = batch * n
        let (d, dh, s) = (dimension, headDimension, scale)
        var contextGradient = Tensor(shape: [rows, d])
        projectBackward(outputGradient, input: cache.context, rows: rows, 3, parameters, &gradient, &contextGradient, accumulate: false)

        var probabilityGradient = Tensor(shape: cache.probabilities.shape)
        var valueGradient = Tensor(shape: [rows, d])
        cache.probabilities.withUnsafeBufferPointer { pb in
            cache.value.withUnsafeBufferPointer { vb in
                contextGradient.withUnsafeBufferPointer { dcb in
                    probabilityGradient.withUnsafeMutableBufferPointer { dpb in
                        valueGradient.withUnsafeMutableBufferPointer { dvb in
                            guard let p = pb.baseAddress, let v = vb.baseAddress, let dc = dcb.baseAddress,
                                  let dp = dpb.baseAddress, let dv = dvb.baseAddress else { return }
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    let head = b * n * d + h * dh
                                    let square = (b * heads + h) * n * n
                                    BLAS.gemm(.none, .transposed, m: n, n: n, k: dh,
                                              a: dc + head, lda: d, b: v + head, ldb: d, c: dp + square, ldc: n)
                                    BLAS.gemm(.transposed, .none, m: n, n: dh, k: n,
                                              a: p + square, lda: n, b: dc + head, ldb: d, c: dv + head, ldc: d)
                                }
                            }
                        }
                    }
                }
            }
        }
        let scoreGradient = Tensor.softmaxRowsBackward(output: cache.probabilities, outputGradient: probabilityGradient)
        var queryGradient = Tensor(shape: [rows, d])
        var keyGradient = Tensor(shape: [rows, d])
        scoreGradient.withUnsafeBufferPointer { dsb in
            cache.query.withUnsafeBufferPointer { qb in
                cache.key.withUnsafeBufferPointer { kb in
                    queryGradient.withUnsafeMutableBufferPointer { dqb in
                        keyGradient.withUnsafeMutableBufferPointer { dkb in
                            guard let ds = dsb.baseAddress, let q = qb.baseAddress, let k = kb.baseAddress,
                                  let dq = dqb.baseAddress, let dk = dkb.baseAddress else { return }
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    let head = b * n * d + h * dh
                                    let square = (b * heads + h) * n * n
                                    BLAS.gemm(.none, .none, m: n, n: dh, k: n, alpha: s,
                                              a: ds + square, lda: n, b: k + head, ldb: d, c: dq + head, ldc: d)
                                    BLAS.gemm(.transposed, .none, m: n, n: dh, k: n, alpha: s,
                                              a: ds + square, lda: n, b: q + head, ldb: d, c: dk + head, ldc: d)
                                }
                            }
                        }
                    }
                }
            }
        }
        var inputGradient = Tensor(shape: [rows, d])
        projectBackward(queryGradient, input: cache.input, rows: rows, 0, parameters, &gradient, &inputGradient, accumulate: false)
        projectBackward(keyGradient, input: cache.input, rows: rows, 1, parameters, &gradient, &inputGradient, accumulate: true)
        projectBackward(valueGradient, input: cache.input, rows: rows, 2, parameters, &gradient, &inputGradient, accumulate: true)
        return inputGradient.reshaped(to: [batch, n, d])
    }

    /// `x Wᵀ + b` for projection `index`, `[rows, dimension]`.
    private func project(_ x: Tensor, rows: Int, _ index: Int, _ parameters: ParameterSet) -> Tensor {
        let (weight, bias) = projections[index]
        let d = dimension
        var y = Tensor(shape: [rows, d])
        guard rows > 0 else { return y }
        y.withUnsafeMutableBufferPointer { yb in
            parameters.withUnsafeBufferPointer(bias) { bb in
                for r in 0..<rows { (yb.baseAddress! + r * d).update(from: bb.baseAddress!, count: d) }
            }
            x.withUnsafeBufferPointer { xb in
                parameters.withUnsafeBufferPointer(weight) { wb in
                    BLAS.gemm(.none, .transposed, m: rows, n: d, k: d, a: xb.baseAddress!, b: wb.baseAddress!, beta: 1, c: yb.baseAddress!)
                }
            }
        }
        return y
    }

    /// `dW += dYᵀ X`, `db += Σ dY`, `dX (+)= dY W`.
    private func projectBackward(
        _ dy: Tensor, input: Tensor, rows: Int, _ index: Int, _ parameters: ParameterSet,
        _ gradient: inout ParameterSet, _ inputGradient: inout Tensor, accumulate: Bool
    ) {
        let (weight, bias) = projections[index]
        let d = dimension
        guard rows > 0 else { return }
        dy.withUnsafeBufferPointer { dyb in
            input.withUnsafeBufferPointer { xb in
                gradient.withUnsafeMutableBufferPointer(weight) { dw in
                    BLAS.gemm(.transposed, .none, m: d, n: d, k: rows, a: dyb.baseAddress!, b: xb.baseAddress!, beta: 1, c: dw.baseAddress!)
                }
            }
            gradient.withUnsafeMutableBufferPointer(bias) { db in
                for r in 0..<rows { for j in 0..<d { db[j] += dyb[r * d + j] } }
            }
            parameters.withUnsafeBufferPointer(weight) { wb in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    BLAS.gemm(.none, .none, m: rows, n: d, k: d, a: dyb.baseAddress!, b: wb.baseAddress!, beta: accumulate ? 1 : 0, c: dx.baseAddress!)
                }
            }
        }
    }

    /// Glorot uniform `U(−√(3/d), √(3/d))` for the four projections, zero biases.
    func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        let bound = (3 / Float(dimension)).squareRoot()
        for (weight, bias) in projections {
            parameters.withUnsafeMutableBufferPointer(weight) { generator.fillUniform($0, low: -bound, high: bound) }
            parameters.withUnsafeMutableBufferPointer(bias) { $0.update(repeating: 0) }
        }
    }
}
