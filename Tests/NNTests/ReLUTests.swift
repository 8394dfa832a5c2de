import NN
import Tensor
import Testing

@Suite struct ReLUTests {
    let empty = ParameterSet(layout: ParameterLayout())

    @Test func forwardAndBackwardOnKnownValues() {
        let layer = ReLU()
        let x = Tensor(shape: [2, 3], scalars: [-2, -0.5, 0, 0.5, 3, -1])
        #expect(layer.forward(x, parameters: empty).scalars == [0, 0, 0, 0.5, 3, 0])
        var gradient = empty
        let dx = layer.backward(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), parameters: empty, gradient: &gradient)
        #expect(dx.scalars == [0, 0, 0, 4, 5, 0])
    }

    @Test func forwardKeepsNaNSoDivergenceShows() {
        let y = ReLU().forward(Tensor(shape: [2], scalars: [.nan, -1]), parameters: empty)
        #expect(y.scalars[0].isNaN && y.scalars[1] == 0)
    }

    @Test func gradientCheckOnThreeDimensionalInput() {
        GradientCheck.check(ReLU(), input: GradientCheck.randomInputAwayFromZero([3, 4, 5], seed: 1), parameters: empty, samples: 60)
    }
}
