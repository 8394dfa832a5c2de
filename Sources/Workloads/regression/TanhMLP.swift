import Foundation
import NN
import Tensor

/// `f(x) = w₂ · tanh(W₁ x + b₁) + b₂`: parameters `hidden.weight` (h × d),
/// `hidden.bias` (h), `output.weight` (1 × h), `output.bias` (1).
///
/// Forward and backward are hand-coded with `BLAS.gemm`; the workload takes its
/// Hessian-vector products by central finite differences of this gradient.
struct TanhMLP: RegressionModel {
    let features: Int
    let hiddenUnits: Int
    let layout: ParameterLayout
    let hiddenWeight: ParameterView
    let hiddenBias: ParameterView
    let outputWeight: ParameterView
    let outputBias: ParameterView

    init(features: Int, hiddenUnits: Int) {
        self.features = features
        self.hiddenUnits = hiddenUnits
        var layout = ParameterLayout()
        hiddenWeight = layout.add("hidden.weight", shape: [hiddenUnits, features], kind: .weight)
        hiddenBias = layout.add("hidden.bias", shape: [hiddenUnits], kind: .bias)
        outputWeight = layout.add("output.weight", shape: [1, hiddenUnits], kind: .weight)
        outputBias = layout.add("output.bias", shape: [1], kind: .bias)
        self.layout = layout
    }

    /// LeCun-normal weights (`N(0, 1/fan_in)`), zero biases.
    func initialParameters(using generator: inout RandomGenerator) -> ParameterSet {
        var p = ParameterSet(layout: layout)
        p.withUnsafeMutableBufferPointer(hiddenWeight) { generator.fillNormal($0, standardDeviation: 1 / Float(features).squareRoot()) }
        p.withUnsafeMutableBufferPointer(outputWeight) { generator.fillNormal($0, standardDeviation: 1 / Float(hiddenUnits).squareRoot()) }
        return p
    }

    /// Hidden activations `tanh(X W₁ᵀ + b₁)` (n × h).
    private func hidden(_ flat: UnsafeBufferPointer<Float>, _ batch: RegressionBatch) -> [Float] {
        precondition(batch.features == features, "regression MLP: batch has \(batch.features) features, model \(features)")
        let n = batch.count, h = hiddenUnits
        var a = [Float](repeating: 0, count: n * h)
        a.withUnsafeMutableBufferPointer { out in
            for i in 0..<n { for k in 0..<h { out[i * h + k] = flat[hiddenBias.offset + k] } }
            batch.inputs.withUnsafeBufferPointer { x in
                BLAS.gemm(.none, .transposed, m: n, n: h, k: features,
                          a: x.baseAddress!, b: flat.baseAddress! + hiddenWeight.offset, beta: 1, c: out.baseAddress!)
            }
            for i in out.indices { out[i] = tanhf(out[i]) }
        }
        return a
    }

    /// Outputs `A w₂ᵀ + b₂` (n).
    private func output(_ flat: UnsafeBufferPointer<Float>, _ activations: [Float], count n: Int) -> [Float] {
        var out = [Float](repeating: flat[outputBias.offset], count: n)
        activations.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                BLAS.gemm(.none, .transposed, m: n, n: 1, k: hiddenUnits,
                          a: a.baseAddress!, b: flat.baseAddress! + outputWeight.offset, beta: 1, c: o.baseAddress!)
            }
        }
        return out
    }

    func predict(_ parameters: ParameterSet, _ batch: RegressionBatch) -> [Float] {
        checkLayout(parameters, "MLP")
        return parameters.values.withUnsafeBufferPointer { flat in
            output(flat, hidden(flat, batch), count: batch.count)
        }
    }

    func lossAndGradient(_ parameters: ParameterSet, _ batch: RegressionBatch, into gradient: inout ParameterSet) -> Float {
        checkLayout(parameters, "MLP")
        precondition(gradient.values.count == layout.count, "regression MLP: gradient buffer has \(gradient.values.count) values, expected \(layout.count)")
        let n = batch.count, h = hiddenUnits
        return parameters.values.withUnsafeBufferPointer { flat -> Float in
            let activations = hidden(flat, batch)
            var r = output(flat, activations, count: n)
            let loss = Self.meanSquaredError(r, batch.targets)
            let scale = 2 / Float(n)
            var outputBiasGradient: Float = 0
            for i in 0..<n {
                r[i] = scale * (r[i] - batch.targets[i])
                outputBiasGradient += r[i]
            }
            // dA = r w₂ ⊙ (1 − A²), then the hidden-layer gradients.
            var delta = [Float](repeating: 0, count: n * h)
            delta.withUnsafeMutableBufferPointer { d in
                activations.withUnsafeBufferPointer { a in
                    for i in 0..<n {
                        let ri = r[i]
                        for k in 0..<h {
                            let ak = a[i * h + k]
                            d[i * h + k] = ri * flat[outputWeight.offset + k] * (1 - ak * ak)
                        }
                    }
                }
            }
            gradient.values.withUnsafeMutableBufferPointer { g in
                r.withUnsafeBufferPointer { rp in
                    activations.withUnsafeBufferPointer { a in
                        BLAS.gemm(.transposed, .none, m: 1, n: h, k: n,
                                  a: rp.baseAddress!, b: a.baseAddress!, c: g.baseAddress! + outputWeight.offset)
                    }
                }
                g[outputBias.offset] = outputBiasGradient
                delta.withUnsafeBufferPointer { d in
                    batch.inputs.withUnsafeBufferPointer { x in
                        BLAS.gemm(.transposed, .none, m: h, n: features, k: n,
                                  a: d.baseAddress!, b: x.baseAddress!, c: g.baseAddress! + hiddenWeight.offset)
                    }
                    for k in 0..<h {
                        var sum: Float = 0
                        for i in 0..<n { sum += d[i * h + k] }
                        g[hiddenBias.offset + k] = sum
                    }
                }
            }
            return Float(loss)
        }
    }
}
