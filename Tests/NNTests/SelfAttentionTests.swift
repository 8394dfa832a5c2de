import Foundation
import NN
import Tensor
import Testing

@Suite struct SelfAttentionTests {
    private static func randomSetup(
        batch: Int, length: Int, dimension: Int, heads: Int, bias: Bool, causal: Bool = true, seed: UInt64
    ) -> (SelfAttention, ParameterSet, Tensor) {
        var layout = ParameterLayout()
        let attention = SelfAttention(name: "attn", dimension: dimension, heads: heads, causal: causal, bias: bias, layout: &layout)
        var rng = RandomGenerator(seed: seed)
        var parameters = ParameterSet(layout: layout)
        parameters.values.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: 0.5) }
        let input = Tensor.randomNormal(shape: [batch, length, dimension], using: &rng)
        return (attention, parameters, input)
    }

    /// Direct Double evaluation of the layer's definition, one (sequence, head) at a time:
    /// `Y = concat_h softmax(Q_h K_hᵀ/√d + M) V_h · Woᵀ + bo` with `Q = X Wqᵀ + bq` etc.,
    /// `M` the causal mask when the layer is causal.
    private static func reference(_ a: SelfAttention, _ p: ParameterSet, _ x: Tensor) -> [Double] {
        let (batch, length, dim) = (x.shape[0], x.shape[1], x.shape[2])
        let dh = dim / a.heads
        func weight(_ v: ParameterView) -> [Double] { p.tensor(v).scalars.map(Double.init) }
        func bias(_ v: ParameterView?) -> [Double] { v.map(weight) ?? [Double](repeating: 0, count: dim) }
        let input = x.scalars.map(Double.init)
        func project(_ rows: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: rows.count)
            for r in 0..<(rows.count / dim) {
                for o in 0..<dim {
                    var s = b[o]
                    for i in 0..<dim { s += rows[r * dim + i] * w[o * dim + i] }
                    out[r * dim + o] = s
                }
            }
            return out
        }
        let q = project(input, weight(a.queryWeight), bias(a.queryBias))
        let k = project(input, weight(a.keyWeight), bias(a.keyBias))
        let v = project(input, weight(a.valueWeight), bias(a.valueBias))
        var context = [Double](repeating: 0, count: input.count)
        for b in 0..<batch {
            for h in 0..<a.heads {
                for i in 0..<length {
                    var scores = [Double](repeating: -Double.infinity, count: length)
                    for j in 0...(a.causal ? i : length - 1) {
                        var s = 0.0
                        for c in 0..<dh { s += q[(b * length + i) * dim + h * dh + c] * k[(b * length + j) * dim + h * dh + c] }
                        scores[j] = s / Double(dh).squareRoot()
                    }
                    let m = scores.max()!
                    let e = scores.map { Foundation.exp($0 - m) }
                    let total = e.reduce(0, +)
                    for c in 0..<dh {
                        var s = 0.0
                        for j in 0..<length { s += e[j] / total * v[(b * length + j) * dim + h * dh + c] }
                        context[(b * length + i) * dim + h * dh + c] = s
                    }
                }
            }
        }
        return project(context, weight(a.outputWeight), bias(a.outputBias))
    }

    @Test(arguments: [
        (2, 5, 6, 2, true, true),
        (1, 4, 4, 1, false, true),
        (3, 3, 8, 4, true, true),
        (2, 1, 6, 3, true, true),
        (2, 5, 6, 2, true, false),
        (1, 4, 4, 1, false, false),
    ])
    func gradientsMatchFiniteDifferences(batch: Int, length: Int, dimension: Int, heads: Int, bias: Bool, causal: Bool) {
        let (attention, parameters, input) = Self.randomSetup(
            batch: batch, length: length, dimension: dimension, heads: heads, bias: bias, causal: causal, seed: 77)
        if bias {
            Self.checkWithKeyBias(attention, input: input, parameters: parameters)
        } else {
            GradientCheck.check(attention, input: input, parameters: parameters, samples: 30)
        }
    }

    /// `GradientCheck.check` for a layer with biases, except that the key bias is checked
    /// for what it is: its exact gradient is zero, because adding `bk` shifts every score
    /// of a row by the same `q·bk`, which softmax ignores. (`GradientCheck`'s relative
    /// measure cannot compare an exact zero with Float finite-difference noise.) The
    /// analytic key-bias gradient must vanish to rounding, and the numeric one to the
    /// noise level of the finite differences.
    private static func checkWithKeyBias(_ attention: SelfAttention, input: Tensor, parameters: ParameterSet) {
        let keyBias = attention.keyBias!
        var rng = RandomGenerator(seed: 7)
        let output = attention.forward(input, parameters: parameters)
        let probe = Tensor.randomNormal(shape: output.shape, using: &rng)
        var gradient = ParameterSet.zeros(like: parameters)
        let inputGradient = attention.backward(probe, parameters: parameters, gradient: &gradient)
        let step = GradientCheck.step
        func objective(_ x: Tensor, _ p: ParameterSet) -> Double {
            let y = attention.forward(x, parameters: p)
            return zip(y.scalars, probe.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var inputPairs: [(analytic: Double, numeric: Double, label: String)] = []
        for i in 0..<input.count {
            var plus = input, minus = input
            plus.withUnsafeMutableBufferPointer { $0[i] += step }
            minus.withUnsafeMutableBufferPointer { $0[i] -= step }
            let numeric = (objective(plus, parameters) - objective(minus, parameters)) / Double(2 * step)
            inputPairs.append((Double(inputGradient.scalars[i]), numeric, "input[\(i)]"))
        }
        GradientCheck.compare(inputPairs, what: "attn input", sourceLocation: #_sourceLocation)
        var largest = 0.0
        for view in parameters.views {
            var pairs: [(analytic: Double, numeric: Double, label: String)] = []
            for j in 0..<view.count {
                var plus = parameters, minus = parameters
                plus.values[view.offset + j] += step
                minus.values[view.offset + j] -= step
                let numeric = (objective(input, plus) - objective(input, minus)) / Double(2 * step)
                pairs.append((Double(gradient.values[view.offset + j]), numeric, "\(view.name)[\(j)]"))
            }
            if view == keyBias {
                for pair in pairs {
                    #expect(abs(pair.analytic) < 1e-5, "\(pair.label): analytic \(pair.analytic) should vanish")
                    #expect(abs(pair.numeric) < 1e-3, "\(pair.label): numeric \(pair.numeric) should vanish")
                }
            } else {
                largest = max(largest, pairs.map { abs($0.analytic) }.max() ?? 0)
                GradientCheck.compare(pairs, what: "attn \(view.name)", sourceLocation: #_sourceLocation)
            }
        }
        #expect(largest > 0.1, "the other parameter gradients are of order one")
    }

    @Test(arguments: [true, false]) func matchesTheDoubleReferenceWithSeveralHeads(causal: Bool) throws {
        let (attention, parameters, input) = Self.randomSetup(
            batch: 2, length: 6, dimension: 8, heads: 4, bias: true, causal: causal, seed: 3)
        let output = attention.forward(input, parameters: parameters)
        #expect(output.shape == [2, 6, 8])
        let expected = Self.reference(attention, parameters, input)
        let worst = zip(output.scalars, expected).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4, "largest deviation from the Double reference: \(worst)")
    }

    /// Enough scores (32 pairs × 48² ≥ 2¹⁶) that the (sequence, head) pairs are split over
    /// the threads when there are two: every pair still lands in its own place.
    @Test(arguments: [true, false]) func largeEnoughToSplitOverThreadsMatchesTheReference(causal: Bool) throws {
        let (attention, parameters, input) = Self.randomSetup(
            batch: 8, length: 48, dimension: 16, heads: 4, bias: true, causal: causal, seed: 4)
        let output = attention.forward(input, parameters: parameters)
        let expected = Self.reference(attention, parameters, input)
        let worst = zip(output.scalars, expected).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4, "largest deviation from the Double reference: \(worst)")
    }

    /// One head with every projection the identity and no bias:
    /// `Y = softmax(X Xᵀ/√d + M) X`, computed here directly in Double.
    @Test func identityProjectionsGiveMaskedSoftmaxAttention() {
        let (length, dim) = (5, 4)
        var layout = ParameterLayout()
        let attention = SelfAttention(name: "attn", dimension: dim, heads: 1, causal: true, bias: false, layout: &layout)
        var parameters = ParameterSet(layout: layout)
        var identity = Tensor(shape: [dim, dim])
        for i in 0..<dim { identity[i, i] = 1 }
        for view in attention.parameterViews { parameters.set(view, to: identity) }
        var rng = RandomGenerator(seed: 12)
        let input = Tensor.randomNormal(shape: [1, length, dim], using: &rng)
        let output = attention.forward(input, parameters: parameters)

        let x = input.scalars.map(Double.init)
        for i in 0..<length {
            var weights = [Double](repeating: 0, count: length)
            for j in 0...i {
                var s = 0.0
                for c in 0..<dim { s += x[i * dim + c] * x[j * dim + c] }
                weights[j] = Foundation.exp(s / Double(dim).squareRoot())
            }
            let total = weights.reduce(0, +)
            for c in 0..<dim {
                var y = 0.0
                for j in 0...i { y += weights[j] / total * x[j * dim + c] }
                #expect(abs(Double(output[0, i, c]) - y) < 1e-5, "output[0, \(i), \(c)] = \(output[0, i, c]), expected \(y)")
            }
        }
        // The first position can only attend to itself: it reproduces its own input.
        for c in 0..<dim { #expect(abs(output[0, 0, c] - input[0, 0, c]) < 1e-6) }
    }

    @Test func laterTokensDoNotChangeEarlierOutputs() {
        let (attention, parameters, input) = Self.randomSetup(batch: 2, length: 7, dimension: 6, heads: 3, bias: true, seed: 19)
        let before = attention.forward(input, parameters: parameters)
        let changedPosition = 4
        var changed = input
        for b in 0..<2 {
            for c in 0..<6 { changed[b, changedPosition, c] += 3 }
        }
        let after = attention.forward(changed, parameters: parameters)
        for b in 0..<2 {
            for t in 0..<7 {
                let unchanged = (0..<6).allSatisfy { c in before[b, t, c] == after[b, t, c] }
                if t < changedPosition {
                    #expect(unchanged, "position \(t) before the changed token \(changedPosition) moved")
                } else {
                    #expect(!unchanged, "position \(t) at or after the changed token \(changedPosition) did not move")
                }
            }
        }
    }

    @Test func earlierInputsGetNoGradientFromLaterOutputsOnly() {
        // A gradient only on the first position's output reaches only the first input.
        let (attention, parameters, input) = Self.randomSetup(batch: 1, length: 5, dimension: 4, heads: 2, bias: true, seed: 23)
        _ = attention.forward(input, parameters: parameters)
        var probe = Tensor(shape: [1, 5, 4])
        for c in 0..<4 { probe[0, 0, c] = 1 }
        var gradient = ParameterSet.zeros(like: parameters)
        let inputGradient = attention.backward(probe, parameters: parameters, gradient: &gradient)
        #expect((0..<4).contains { inputGradient[0, 0, $0] != 0 })
        for t in 1..<5 {
            for c in 0..<4 { #expect(inputGradient[0, t, c] == 0) }
        }
    }

    @Test func registersTheFourProjections() {
        var layout = ParameterLayout()
        let attention = SelfAttention(name: "block0.attn", dimension: 12, heads: 3, causal: true, layout: &layout)
        #expect(attention.headDimension == 4)
        #expect(layout.views.map(\.name) == [
            "block0.attn.query.weight", "block0.attn.query.bias",
            "block0.attn.key.weight", "block0.attn.key.bias",
            "block0.attn.value.weight", "block0.attn.value.bias",
            "block0.attn.output.weight", "block0.attn.output.bias",
        ])
        #expect(layout.views.map(\.kind) == [.attentionQ, .bias, .attentionK, .bias, .attentionV, .bias, .attentionOut, .bias])
        #expect(attention.parameterViews == layout.views)
        #expect(layout.views.filter { $0.kind != .bias }.allSatisfy { $0.shape == [12, 12] })

        var plainLayout = ParameterLayout()
        _ = SelfAttention(name: "a", dimension: 4, heads: 2, causal: true, bias: false, layout: &plainLayout)
        #expect(plainLayout.views.map(\.kind) == [.attentionQ, .attentionK, .attentionV, .attentionOut])
    }

    @Test func initialisationIsGlorotUniformAndSeeded() {
        var layout = ParameterLayout()
        let attention = SelfAttention(name: "attn", dimension: 48, heads: 4, causal: true, layout: &layout)
        var parameters = ParameterSet(layout: layout, repeating: 5)
        var rng = RandomGenerator(seed: 1)
        attention.initialize(&parameters, using: &rng)
        let bound = (3.0 / 48).squareRoot()
        for view in layout.views {
            let t = parameters.tensor(view)
            if view.kind == .bias {
                #expect(t.scalars.allSatisfy { $0 == 0 })
            } else {
                #expect(t.scalars.allSatisfy { abs(Double($0)) <= bound })
                // Uniform(−a, a) has variance a²/3; 2304 samples give about 3% relative error.
                #expect(abs(t.meanAndVariance().variance / (bound * bound / 3) - 1) < 0.12)
            }
        }
        var again = ParameterSet(layout: layout)
        var rng2 = RandomGenerator(seed: 1)
        attention.initialize(&again, using: &rng2)
        #expect(again == parameters)
    }
}
