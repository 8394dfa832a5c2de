import NN
import Tensor
import Testing

@Suite struct AvgPool2dTests {
    @Test(arguments: [
        (shape: [2, 3, 6, 6], kernel: 2, stride: 2, padding: 0),
        (shape: [1, 2, 7, 5], kernel: 3, stride: 2, padding: 1),
        (shape: [2, 2, 5, 6], kernel: 3, stride: 1, padding: 0),
        (shape: [1, 3, 4, 7], kernel: 2, stride: 1, padding: 1),
    ])
    func gradientsMatchFiniteDifferences(shape: [Int], kernel: Int, stride: Int, padding: Int) {
        let pool = AvgPool2d(name: "pool", kernelSize: kernel, stride: stride, padding: padding)
        var rng = RandomGenerator(seed: 8)
        let input = Tensor.randomNormal(shape: shape, using: &rng)
        GradientCheck.check(pool, input: input, parameters: ParameterSet(layout: ParameterLayout()), samples: 60)
    }

    @Test func averageOfAConstantIsTheConstant() {
        let pool = AvgPool2d(name: "pool", kernelSize: 3, stride: 1)
        let input = Tensor(shape: [2, 3, 5, 4], repeating: 2.5)
        let output = pool.forward(input, parameters: ParameterSet(layout: ParameterLayout()))
        #expect(output.shape == [2, 3, 3, 2])
        #expect(output.scalars.allSatisfy { $0 == 2.5 })
    }

    @Test func paddedCellsCountAsZeros() {
        // count_include_pad: a corner window of a padded 3×3 pool sees 4 real cells of 9.
        let pool = AvgPool2d(name: "pool", kernelSize: 3, stride: 2, padding: 1)
        let input = Tensor(shape: [1, 1, 4, 4], repeating: 9)
        let output = pool.forward(input, parameters: ParameterSet(layout: ParameterLayout()))
        #expect(output.shape == [1, 1, 2, 2])
        #expect(output.scalars == [4, 6, 6, 9])
    }

    @Test func knownValuesAndSpreadGradient() {
        let pool = AvgPool2d(name: "pool", kernelSize: 2)
        let input = Tensor(shape: [1, 1, 2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let empty = ParameterSet(layout: ParameterLayout())
        let output = pool.forward(input, parameters: empty)
        #expect(output.shape == [1, 1, 1, 2])
        #expect(output.scalars == [3.5, 5.5])
        var gradient = empty
        let inputGradient = pool.backward(Tensor(shape: [1, 1, 1, 2], scalars: [4, 8]), parameters: empty, gradient: &gradient)
        #expect(inputGradient.scalars == [1, 1, 2, 2, 1, 1, 2, 2])
    }
}
