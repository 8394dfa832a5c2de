import NN
import Tensor
import Testing

@Suite struct GlobalAvgPoolTests {
    @Test func averagesEachPlane() {
        let pool = GlobalAvgPool(name: "gap")
        // [2, 2, 2, 3]: plane p holds p·10 + (0…5), whose mean is p·10 + 2.5.
        let input = Tensor(shape: [2, 2, 2, 3], scalars: (0..<4).flatMap { p in (0..<6).map { Float(p * 10 + $0) } })
        let output = pool.forward(input, parameters: ParameterSet(layout: ParameterLayout()))
        #expect(output.shape == [2, 2])
        #expect(output.scalars == [2.5, 12.5, 22.5, 32.5])
    }

    @Test func backwardSpreadsTheGradientEvenly() {
        let pool = GlobalAvgPool(name: "gap")
        let empty = ParameterSet(layout: ParameterLayout())
        _ = pool.forward(Tensor(shape: [1, 2, 2, 2]), parameters: empty)
        var gradient = empty
        let inputGradient = pool.backward(Tensor(shape: [1, 2], scalars: [4, -8]), parameters: empty, gradient: &gradient)
        #expect(inputGradient.shape == [1, 2, 2, 2])
        #expect(inputGradient.scalars == [1, 1, 1, 1, -2, -2, -2, -2])
    }

    @Test func gradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 4)
        let input = Tensor.randomNormal(shape: [3, 4, 5, 3], using: &rng)
        GradientCheck.check(GlobalAvgPool(name: "gap"), input: input, parameters: ParameterSet(layout: ParameterLayout()))
    }

    /// Blocked feature maps `[n, c/8, h, w, 8]`: the means of the planar layer, and a
    /// gradient that matches finite differences.
    @Test func blockedInputGivesThePlanarMeans() {
        var rng = RandomGenerator(seed: 5)
        let planar = Tensor.randomNormal(shape: [2, 16, 3, 2], using: &rng)
        let blocked = planar.rearranged(from: .planar, to: .channelBlocked(8))
        let empty = ParameterSet(layout: ParameterLayout())
        let pool = GlobalAvgPool(name: "gap", inputLayout: .channelBlocked(8))
        #expect(pool.forward(blocked, parameters: empty) == GlobalAvgPool(name: "gap").forward(planar, parameters: empty))
        GradientCheck.check(pool, input: blocked, parameters: empty)
    }
}
