import NN
import Tensor
import Testing

@Suite struct MaxPool2dTests {
    /// An input of distinct values at least 0.1 apart (a seeded shuffle), so a finite
    /// difference step of 0.01 can never change which element a window selects.
    private static func distinctInput(shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let count = shape.reduce(1, *)
        let order = rng.permutation(count)
        return Tensor(shape: shape, scalars: order.map { Float($0) * 0.1 - Float(count) * 0.05 })
    }

    @Test(arguments: [
        (shape: [2, 3, 6, 6], kernel: 2, stride: 2, padding: 0),
        (shape: [1, 2, 7, 5], kernel: 3, stride: 2, padding: 1),
        (shape: [2, 2, 5, 6], kernel: 3, stride: 1, padding: 0),
        (shape: [1, 3, 4, 7], kernel: 2, stride: 1, padding: 1),
    ])
    func gradientsMatchFiniteDifferences(shape: [Int], kernel: Int, stride: Int, padding: Int) {
        let pool = MaxPool2d(name: "pool", kernelSize: kernel, stride: stride, padding: padding)
        let input = Self.distinctInput(shape: shape, seed: 21)
        GradientCheck.check(pool, input: input, parameters: ParameterSet(layout: ParameterLayout()), samples: 60)
    }

    @Test func picksTheMaximumOfEachWindow() {
        let pool = MaxPool2d(name: "pool", kernelSize: 2)
        #expect(pool.stride == 2)
        let input = Tensor(shape: [1, 1, 4, 4], scalars: [
            1, 5, -2, 0,
            3, 2, 7, -1,
            -4, -3, 0.5, 0.25,
            -6, -5, 0.75, 9,
        ])
        let empty = ParameterSet(layout: ParameterLayout())
        let output = pool.forward(input, parameters: empty)
        #expect(output.shape == [1, 1, 2, 2])
        #expect(output.scalars == [5, 7, -3, 9])

        var gradient = empty
        let inputGradient = pool.backward(
            Tensor(shape: [1, 1, 2, 2], scalars: [10, 20, 30, 40]), parameters: empty, gradient: &gradient)
        #expect(inputGradient.scalars == [
            0, 10, 0, 0,
            0, 0, 20, 0,
            0, 30, 0, 0,
            0, 0, 0, 40,
        ])
    }

    @Test func paddingNeverWinsAgainstNegativeInputs() {
        let pool = MaxPool2d(name: "pool", kernelSize: 3, stride: 2, padding: 1)
        let input = Tensor(shape: [1, 1, 3, 3], scalars: [-1, -2, -3, -4, -5, -6, -7, -8, -9])
        let output = pool.forward(input, parameters: ParameterSet(layout: ParameterLayout()))
        #expect(output.shape == [1, 1, 2, 2])
        #expect(output.scalars == [-1, -2, -4, -5])
    }

    @Test func planesArePooledIndependently() {
        let pool = MaxPool2d(name: "pool", kernelSize: 2)
        // Two images × two channels of 2×2: each plane reduces to its own maximum.
        let input = Tensor(shape: [2, 2, 2, 2], scalars: (0..<16).map { Float(($0 * 7) % 16) })
        let output = pool.forward(input, parameters: ParameterSet(layout: ParameterLayout()))
        #expect(output.shape == [2, 2, 1, 1])
        let expected = (0..<4).map { p in (0..<4).map { Float(((p * 4 + $0) * 7) % 16) }.max()! }
        #expect(output.scalars == expected)
    }
}
