import NN
import Tensor
import Testing

@Suite struct DropoutTests {
    let empty = ParameterSet(layout: ParameterLayout())

    @Test func sameSeedGivesTheSameMaskSequenceAndStepsDiffer() {
        let x = Tensor(shape: [4, 50], repeating: 1)
        let a = Dropout(probability: 0.5, seed: 42), b = Dropout(probability: 0.5, seed: 42)
        let a1 = a.forward(x, parameters: empty), a2 = a.forward(x, parameters: empty)
        let b1 = b.forward(x, parameters: empty), b2 = b.forward(x, parameters: empty)
        #expect(a1 == b1 && a2 == b2)
        #expect(a1 != a2)
        #expect(Dropout(probability: 0.5, seed: 43).forward(x, parameters: empty) != a1)
    }

    /// 100 000 ones with p = 0.3: the output mean has standard error √(p/(1−p)/n) ≈ 0.002
    /// and the dropped fraction √(p(1−p)/n) ≈ 0.0015; tolerances are about five of those.
    @Test func invertedScalingPreservesTheMean() {
        let n = 100_000
        let y = Dropout(probability: 0.3, seed: 7).forward(Tensor(shape: [n], repeating: 1), parameters: empty)
        let mean = y.scalars.reduce(0.0) { $0 + Double($1) } / Double(n)
        let dropped = Double(y.scalars.filter { $0 == 0 }.count) / Double(n)
        #expect(abs(mean - 1) < 0.01)
        #expect(abs(dropped - 0.3) < 0.008)
        #expect(y.scalars.allSatisfy { $0 == 0 || $0 == 1 / Float(0.7) })
    }

    @Test func backwardAppliesTheForwardMask() {
        let layer = Dropout(probability: 0.4, seed: 3)
        let x = GradientCheck.randomInputAwayFromZero([6, 7], seed: 1)
        let y = layer.forward(x, parameters: empty)
        let dy = GradientCheck.randomInput([6, 7], seed: 2)
        var gradient = empty
        let dx = layer.backward(dy, parameters: empty, gradient: &gradient)
        for i in 0..<x.count {
            let mask = y.scalars[i] / x.scalars[i]  // 0 or 1/(1 − p)
            #expect(abs(dx.scalars[i] - dy.scalars[i] * mask) <= 1e-6 * abs(dx.scalars[i]) + 1e-7)
        }
        #expect(y.scalars.contains(0) && y.scalars.contains { $0 != 0 })
    }

    @Test func identityInEvaluationModeAndAtZeroProbability() {
        let x = GradientCheck.randomInput([3, 5], seed: 4)
        let dy = GradientCheck.randomInput([3, 5], seed: 5)
        let evaluating = Dropout(probability: 0.5, seed: 1)
        evaluating.setTraining(false)
        let zero = Dropout(probability: 0, seed: 1)
        for layer in [evaluating, zero] {
            #expect(layer.forward(x, parameters: empty) == x)
            var gradient = empty
            #expect(layer.backward(dy, parameters: empty, gradient: &gradient) == dy)
        }
        evaluating.setTraining(true)
        #expect(evaluating.forward(x, parameters: empty) != x)
    }

    /// Restoring the generator before each forward freezes the mask, so the layer is a
    /// fixed linear map the finite-difference check can probe.
    @Test func gradientCheckWithAFrozenMask() {
        let layer = FrozenMask(Dropout(probability: 0.3, seed: 9))
        GradientCheck.check(layer, input: GradientCheck.randomInput([4, 8], seed: 6), parameters: empty, samples: 32)
    }

    @Test func probabilityOneIsRejected() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Dropout("drop3", probability: 1, seed: 0)
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("Dropout 'drop3'") && message.contains("[0, 1)"))
        }
    }
}

/// A dropout layer whose every forward uses the mask of the first.
final class FrozenMask: Layer {
    let inner: Dropout
    let start: RandomGenerator
    var name: String { inner.name }

    init(_ inner: Dropout) {
        self.inner = inner
        self.start = inner.generator
    }

    func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        inner.generator = start
        return inner.forward(input, parameters: parameters)
    }

    func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        inner.backward(outputGradient, parameters: parameters, gradient: &gradient)
    }
}
