import NN
import Tensor
import Testing
@testable import Workloads

/// The unmasked attention layer of the set encoders (`Sources/Workloads/common`), shared by
/// the tsp and jobshop policies.
@Suite struct EncoderSelfAttentionTests {
    /// The unmasked attention layer alone, parameters and input, against central differences.
    @Test func attentionGradientMatchesCentralDifferences() throws {
        var layout = ParameterLayout()
        let layer = EncoderSelfAttention("a", dimension: 8, heads: 2, layout: &layout)
        var generator = RandomGenerator(seed: 1)
        var p = ParameterSet(layout: layout)
        layer.initialize(&p, using: &generator)
        p.values.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 0.5) }
        let x = Tensor.randomNormal(shape: [2, 5, 8], using: &generator)
        let r = Tensor.randomNormal(shape: [2, 5, 8], using: &generator)
        func f(_ q: ParameterSet, _ input: Tensor) -> Double {
            zip(layer.forward(input, parameters: q).scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        _ = layer.forward(x, parameters: p)
        var g = ParameterSet.zeros(like: p)
        let dx = layer.backward(r, parameters: p, gradient: &g)
        var worst = 0.0, text = ""
        for i in stride(from: 0, to: p.values.count, by: 7) {
            var plus = p, minus = p
            plus.values[i] += 1e-2
            minus.values[i] -= 1e-2
            let numeric = (f(plus, x) - f(minus, x)) / 2e-2
            let error = abs(Double(g.values[i]) - numeric) / max(abs(numeric), 1e-2)
            if error > worst { (worst, text) = (error, "param \(i): \(g.values[i]) vs \(numeric)") }
        }
        for i in stride(from: 0, to: x.count, by: 5) {
            var plus = x.scalars, minus = x.scalars
            plus[i] += 1e-2
            minus[i] -= 1e-2
            let numeric = (f(p, Tensor(shape: x.shape, scalars: plus)) - f(p, Tensor(shape: x.shape, scalars: minus))) / 2e-2
            let error = abs(Double(dx.scalars[i]) - numeric) / max(abs(numeric), 1e-2)
            if error > worst { (worst, text) = (error, "input \(i): \(dx.scalars[i]) vs \(numeric)") }
        }
        #expect(worst < 2e-2, "worst \(worst) at \(text)")
    }
}

