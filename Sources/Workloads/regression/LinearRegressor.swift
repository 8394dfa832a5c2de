import NN
import Tensor

/// `f(x) = w·x + b`: parameters `weight` (1 × d) and `bias` (1).
///
/// The loss is a quadratic, so its Hessian-vector product is exact:
/// `H v = (2/n) Aᵀ A v` with `A = [X 1]`.
struct LinearRegressor: RegressionModel {
    let features: Int
    let layout: ParameterLayout
    let weight: ParameterView
    let bias: ParameterView

    init(features: Int) {
        self.features = features
        var layout = ParameterLayout()
        weight = layout.add("weight", shape: [1, features], kind: .weight)
        bias = layout.add("bias", shape: [1], kind: .bias)
        self.layout = layout
    }

    /// Weights `N(0, 1/d)`, bias 0.
    func initialParameters(using generator: inout RandomGenerator) -> ParameterSet {
        var p = ParameterSet(layout: layout)
        let scale = 1 / Float(features).squareRoot()
        p.withUnsafeMutableBufferPointer(weight) { generator.fillNormal($0, standardDeviation: scale) }
        return p
    }

    func predict(_ parameters: ParameterSet, _ batch: RegressionBatch) -> [Float] {
        checkLayout(parameters, "linear model")
        return apply(parameters.values, batch)
    }

    /// `X w + b` for a flat `[w…, b]` vector (parameters or a direction).
    private func apply(_ flat: [Float], _ batch: RegressionBatch) -> [Float] {
        precondition(batch.features == features, "regression linear model: batch has \(batch.features) features, model \(features)")
        var out = [Float](repeating: flat[bias.offset], count: batch.count)
        flat.withUnsafeBufferPointer { p in
            batch.inputs.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    BLAS.gemm(.none, .transposed, m: batch.count, n: 1, k: features,
                              a: x.baseAddress!, b: p.baseAddress! + weight.offset, beta: 1, c: o.baseAddress!)
                }
            }
        }
        return out
    }

    /// Writes `[Xᵀ r, Σ r]` into `result` (the gradient/HVP back-projection).
    private func backProject(_ r: [Float], _ batch: RegressionBatch, into result: inout ParameterSet) {
        precondition(result.values.count == layout.count, "regression linear model: output buffer has \(result.values.count) values, expected \(layout.count)")
        var sum: Float = 0
        for value in r { sum += value }
        result.values.withUnsafeMutableBufferPointer { g in
            r.withUnsafeBufferPointer { rp in
                batch.inputs.withUnsafeBufferPointer { x in
                    BLAS.gemm(.transposed, .none, m: 1, n: features, k: batch.count,
                              a: rp.baseAddress!, lda: 1, b: x.baseAddress!, c: g.baseAddress! + weight.offset)
                }
            }
            g[bias.offset] = sum
        }
    }

    func lossAndGradient(_ parameters: ParameterSet, _ batch: RegressionBatch, into gradient: inout ParameterSet) -> Float {
        checkLayout(parameters, "linear model")
        var r = apply(parameters.values, batch)
        let loss = Self.meanSquaredError(r, batch.targets)
        let scale = 2 / Float(batch.count)
        for i in r.indices { r[i] = scale * (r[i] - batch.targets[i]) }
        backProject(r, batch, into: &gradient)
        return Float(loss)
    }

    /// Exact `H v = (2/n) Aᵀ (A v)`, independent of the parameters.
    func hessianVectorProduct(_ batch: RegressionBatch, vector: ParameterSet, into result: inout ParameterSet) {
        checkLayout(vector, "linear model HVP direction")
        var u = apply(vector.values, batch)
        let scale = 2 / Float(batch.count)
        for i in u.indices { u[i] *= scale }
        backProject(u, batch, into: &result)
    }
}
