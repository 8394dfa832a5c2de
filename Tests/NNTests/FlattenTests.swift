import NN
import Tensor
import Testing

@Suite struct FlattenTests {
    @Test func keepsTheBatchAxisAndTheElementOrder() {
        let flatten = Flatten()
        let input = Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map { Float($0) })
        let output = flatten.forward(input, parameters: ParameterSet(layout: ParameterLayout()))
        #expect(output.shape == [2, 12])
        #expect(output.scalars == (0..<24).map { Float($0) })
    }

    @Test func backwardRestoresTheInputShape() {
        let flatten = Flatten()
        let empty = ParameterSet(layout: ParameterLayout())
        _ = flatten.forward(Tensor(shape: [2, 1, 3]), parameters: empty)
        var gradient = empty
        let inputGradient = flatten.backward(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), parameters: empty, gradient: &gradient)
        #expect(inputGradient.shape == [2, 1, 3])
        #expect(inputGradient.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func gradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 6)
        let input = Tensor.randomNormal(shape: [3, 2, 4, 3], using: &rng)
        GradientCheck.check(Flatten(), input: input, parameters: ParameterSet(layout: ParameterLayout()))
    }
}
