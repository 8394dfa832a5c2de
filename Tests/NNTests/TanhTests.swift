import Foundation
import NN
import Tensor
import Testing

@Suite struct TanhTests {
    let empty = ParameterSet(layout: ParameterLayout())

    @Test func forwardAndBackwardOnKnownValues() {
        let layer = Tanh()
        let x = Tensor(shape: [3], scalars: [0, 1, -2])
        let y = layer.forward(x, parameters: empty)
        let expected: [Float] = [0, 0.761_594_16, -0.964_027_58]
        for (a, e) in zip(y.scalars, expected) { #expect(abs(a - e) < 1e-6) }
        var gradient = empty
        let dx = layer.backward(Tensor(shape: [3], repeating: 2), parameters: empty, gradient: &gradient)
        let expectedGradient: [Float] = [2, 2 * (1 - 0.761_594_16 * 0.761_594_16), 2 * (1 - 0.964_027_58 * 0.964_027_58)]
        for (a, e) in zip(dx.scalars, expectedGradient) { #expect(abs(a - e) < 1e-6) }
    }

    @Test func saturatesWithoutOverflow() {
        let y = Tanh().forward(Tensor(shape: [2], scalars: [100, -100]), parameters: empty)
        #expect(y.scalars == [1, -1])
    }

    @Test func gradientCheckOnThreeDimensionalInput() {
        GradientCheck.check(Tanh(), input: GradientCheck.randomInput([2, 3, 6], seed: 3), parameters: empty)
    }
}
