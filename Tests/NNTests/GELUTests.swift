import Foundation
import NN
import Tensor
import Testing

@Suite struct GELUTests {
    let empty = ParameterSet(layout: ParameterLayout())

    /// Reference values of ½x(1 + tanh(√(2/π)(x + 0.044715x³))), computed in Double.
    @Test func forwardMatchesTanhApproximation() {
        let x = Tensor(shape: [6], scalars: [-3, -1, 0, 0.5, 1, 2])
        let expected: [Float] = [-0.003_637_392, -0.158_808_01, 0, 0.345_714_01, 0.841_191_99, 1.954_597_7]
        let y = GELU().forward(x, parameters: empty)
        for (a, e) in zip(y.scalars, expected) { #expect(abs(a - e) < 2e-6) }
    }

    /// The approximation stays within 5e-4 of the exact x·Φ(x) on [−8, 8].
    @Test func staysCloseToExactGELU() {
        let grid = (-800..<800).map { Float($0) / 100 }
        let y = GELU().forward(Tensor(shape: [grid.count], scalars: grid), parameters: empty)
        for (x, value) in zip(grid, y.scalars) {
            let exact = Double(x) * 0.5 * (1 + erf(Double(x) / 2.0.squareRoot()))
            #expect(abs(Double(value) - exact) < 5e-4)
        }
    }

    @Test func gradientCheckOnThreeDimensionalInput() {
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.randomNormal(shape: [3, 4, 5], standardDeviation: 2, using: &rng)
        GradientCheck.check(GELU(), input: x, parameters: empty, samples: 60)
    }
}
