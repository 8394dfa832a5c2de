import Foundation
import Tensor
import Testing

/// Softmax (oneDNN's primitive, `OneDNNSoftmax`, as the attention layer runs it) and
/// `logSoftmaxRows` against their definitions in Double.
@Suite struct SoftmaxTests {
    /// Softmax along the last axis through `OneDNNSoftmax`.
    private func softmax(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        var y = x
        y.withUnsafeMutableBufferPointer { OneDNNSoftmax(rows: x.count / width, width: width).forward(inPlace: $0.baseAddress!) }
        return y
    }

    /// Its gradient through `OneDNNSoftmax`, from the output `y` and `dy`.
    private func softmaxBackward(output y: Tensor, outputGradient dy: Tensor) -> Tensor {
        let width = y.shape.last!
        return Tensor(shape: y.shape) { dx in
            y.withUnsafeBufferPointer { yb in
                dy.withUnsafeBufferPointer { dyb in
                    OneDNNSoftmax(rows: y.count / width, width: width)
                        .backward(output: yb.baseAddress!, outputGradient: dyb.baseAddress!, into: dx.baseAddress!)
                }
            }
        }
    }
    @Test func rowsSumToOneAndMatchTheDefinition() {
        var g = RandomGenerator(seed: 1)
        let x = Tensor.randomNormal(shape: [12, 7], standardDeviation: 3, using: &g)
        let y = softmax(x)
        #expect(y.shape == x.shape)
        for row in 0..<12 {
            let xs = (0..<7).map { Double(x.scalars[row * 7 + $0]) }
            let m = xs.max()!
            let total = xs.map { exp($0 - m) }.reduce(0, +)
            var sum = 0.0
            for j in 0..<7 {
                let v = Double(y.scalars[row * 7 + j])
                sum += v
                #expect(abs(v - exp(xs[j] - m) / total) < 1e-6)
            }
            #expect(abs(sum - 1) < 1e-6)
        }
    }

    @Test func knownValues() {
        let y = softmax(Tensor(shape: [1, 3], scalars: [0, Float(log(2.0)), Float(log(5.0))]))
        // e^x = 1, 2, 5 → 1/8, 2/8, 5/8.
        for (v, e) in zip(y.scalars, [0.125, 0.25, 0.625]) { #expect(abs(Double(v) - e) < 1e-6) }
        #expect(softmax(Tensor(shape: [2, 2], scalars: [3, 3, -7, -7])).scalars == [0.5, 0.5, 0.5, 0.5])
    }

    @Test func stableAtLargeMagnitudes() {
        let x = Tensor(shape: [2, 3], scalars: [1000, 0, -1000, -1000, -1000, -999])
        let y = softmax(x)
        #expect(y.isFinite)
        #expect(y.scalars[0] == 1 && y.scalars[1] == 0 && y.scalars[2] == 0)
        let e = 1 / (2 + exp(1.0))
        #expect(abs(Double(y.scalars[3]) - e) < 1e-6)
        #expect(abs(Double(y.scalars[5]) - exp(1.0) * e) < 1e-6)

        let logY = x.logSoftmaxRows()
        #expect(logY.isFinite)
        #expect(logY.scalars[0] == 0)
        #expect(logY.scalars[1] == -1000)
        #expect(logY.scalars[2] == -2000)
        let logNorm = -999 + log(1 + 2 * exp(-1.0))
        #expect(abs(Double(logY.scalars[3]) - (-1000 - logNorm)) < 1e-3)
        #expect(abs(Double(logY.scalars[5]) - (-999 - logNorm)) < 1e-3)
    }

    @Test func logSoftmaxIsTheLogOfSoftmax() {
        var g = RandomGenerator(seed: 2)
        let x = Tensor.randomNormal(shape: [5, 6], using: &g)
        let y = softmax(x), logY = x.logSoftmaxRows()
        for i in 0..<x.count { #expect(abs(Double(logY.scalars[i]) - log(Double(y.scalars[i]))) < 1e-5) }
    }

    /// An attention mask: −∞ entries get probability exactly 0 and gradient exactly 0, and
    /// the rest is the softmax of the unmasked entries alone.
    @Test func minusInfinityIsMaskedExactly() {
        let masked = Tensor(shape: [2, 4], scalars: [1, -.infinity, 1, -.infinity, 0, -.infinity, -.infinity, -.infinity])
        let y = softmax(masked)
        #expect(y.scalars == [0.5, 0, 0.5, 0, 1, 0, 0, 0])
        let dx = softmaxBackward(output: y, outputGradient: Tensor(shape: [2, 4], scalars: [1, 7, -1, 5, 3, 2, 1, 0]))
        #expect(dx.scalars[1] == 0 && dx.scalars[3] == 0 && dx.scalars[5] == 0 && dx.scalars[6] == 0 && dx.scalars[7] == 0)
        // Row one: y = (½, ½) on the unmasked pair, dy = (1, −1): dx = y ⊙ (dy − 0) = (½, −½).
        #expect(dx.scalars[0] == 0.5 && dx.scalars[2] == -0.5)
    }

    /// `L = ⟨softmax(x), r⟩`: the backward primitive's `dx` against central differences in Double.
    @Test func backwardMatchesFiniteDifferences() {
        var g = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal(shape: [4, 5], using: &g)
        let r = Tensor.randomNormal(shape: [4, 5], using: &g)
        let dx = softmaxBackward(output: softmax(x), outputGradient: r)
        func loss(_ x: Tensor) -> Double {
            zip(softmax(x).scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let h: Float = 1e-2
        var worst = 0.0
        for i in 0..<x.count {
            var plus = x, minus = x
            plus.withUnsafeMutableBufferPointer { $0[i] += h }
            minus.withUnsafeMutableBufferPointer { $0[i] -= h }
            let numeric = (loss(plus) - loss(minus)) / Double(2 * h)
            worst = max(worst, abs(numeric - Double(dx.scalars[i])))
        }
        #expect(worst < 1e-3, "largest deviation \(worst)")
        // Each row of dx sums to zero (softmax is invariant to a shift of its input).
        for row in dx.rowSums().scalars { #expect(abs(row) < 1e-6) }
    }
}
