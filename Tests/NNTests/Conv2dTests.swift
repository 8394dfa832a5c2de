import NN
import Tensor
import Testing

@Suite struct Conv2dTests {
    /// A layer with random normal parameters and a random input of the given shape.
    private static func randomSetup(
        inputShape: [Int], outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: Int, padding: Int, bias: Bool, seed: UInt64
    ) -> (Conv2d, ParameterSet, Tensor) {
        var layout = ParameterLayout()
        let conv = Conv2d(
            name: "conv", inputChannels: inputShape[1], outputChannels: outputChannels,
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: stride, padding: padding,
            bias: bias, layout: &layout)
        var rng = RandomGenerator(seed: seed)
        var parameters = ParameterSet(layout: layout)
        parameters.values.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: 0.5) }
        let input = Tensor.randomNormal(shape: inputShape, using: &rng)
        return (conv, parameters, input)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let inputShape: [Int]
        let outputChannels, kernelHeight, kernelWidth, stride, padding: Int
        let bias: Bool
        var testDescription: String {
            "\(inputShape) → \(outputChannels) ch, \(kernelHeight)×\(kernelWidth), stride \(stride), pad \(padding), bias \(bias)"
        }
    }

    static let cases: [Case] = [
        Case(inputShape: [2, 3, 5, 5], outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, bias: true),
        Case(inputShape: [2, 2, 6, 7], outputChannels: 3, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1, bias: true),
        Case(inputShape: [1, 3, 5, 8], outputChannels: 2, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 0, bias: false),
        Case(inputShape: [3, 2, 7, 6], outputChannels: 3, kernelHeight: 2, kernelWidth: 3, stride: 2, padding: 0, bias: true),
        Case(inputShape: [2, 4, 4, 5], outputChannels: 5, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0, bias: true),
    ]

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ c: Case) {
        let (conv, parameters, input) = Self.randomSetup(
            inputShape: c.inputShape, outputChannels: c.outputChannels,
            kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth,
            stride: c.stride, padding: c.padding, bias: c.bias, seed: 1234)
        GradientCheck.check(conv, input: input, parameters: parameters)
    }

    /// Channel-blocked input and output (`[n, c/8, h, w, 8]`): the gradients of the layer
    /// as it sees its tensors match finite differences, stride 1 and 2.
    @Test(arguments: [1, 2]) func blockedLayerGradientsMatchFiniteDifferences(stride: Int) {
        var layout = ParameterLayout()
        let conv = Conv2d(
            name: "conv", inputChannels: 8, outputChannels: 16, kernelSize: 3, stride: stride, padding: 1,
            inputLayout: .channelBlocked(8), outputLayout: .channelBlocked(8), layout: &layout)
        var rng = RandomGenerator(seed: 77)
        var parameters = ParameterSet(layout: layout)
        parameters.values.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: 0.3) }
        let input = Tensor.randomNormal(shape: [2, 1, 5, 4, 8], using: &rng)
        #expect(conv.forward(input, parameters: parameters).shape == [2, 2, (5 - 1) / stride + 1, (4 - 1) / stride + 1, 8])
        GradientCheck.check(conv, input: input, parameters: parameters)
    }

    @Test func registersWeightAndBiasViews() {
        var layout = ParameterLayout()
        let conv = Conv2d(name: "conv1", inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1, layout: &layout)
        #expect(layout.views.map(\.name) == ["conv1.weight", "conv1.bias"])
        #expect(conv.weight.shape == [8, 3, 3, 3])
        #expect(conv.weight.kind == .convWeight)
        #expect(conv.bias?.shape == [8])
        #expect(conv.bias?.kind == .bias)
        #expect(conv.parameterViews == layout.views)
        #expect(layout.count == 8 * 27 + 8)

        var noBiasLayout = ParameterLayout()
        let plain = Conv2d(name: "c", inputChannels: 2, outputChannels: 4, kernelSize: 1, bias: false, layout: &noBiasLayout)
        #expect(plain.bias == nil)
        #expect(noBiasLayout.views.map(\.name) == ["c.weight"])
    }

    /// A 3×3 all-ones kernel with padding 1 sums each 3×3 neighbourhood of 1…9.
    @Test func knownValuesOfANeighbourhoodSum() {
        var layout = ParameterLayout()
        let conv = Conv2d(name: "box", inputChannels: 1, outputChannels: 1, kernelSize: 3, padding: 1, layout: &layout)
        var parameters = ParameterSet(layout: layout, repeating: 1)
        parameters.set(conv.bias!, to: Tensor(shape: [1], scalars: [0.5]))
        let input = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        let output = conv.forward(input, parameters: parameters)
        #expect(output.shape == [1, 1, 3, 3])
        // Neighbourhood sums of [[1,2,3],[4,5,6],[7,8,9]] plus the bias 0.5.
        #expect(output.scalars == [12, 21, 16, 27, 45, 33, 24, 39, 28].map { $0 + 0.5 })

        // Stride 2 keeps the corners.
        var strideLayout = ParameterLayout()
        let strided = Conv2d(name: "s", inputChannels: 1, outputChannels: 1, kernelSize: 3, stride: 2, padding: 1, bias: false, layout: &strideLayout)
        let strideOutput = strided.forward(input, parameters: ParameterSet(layout: strideLayout, repeating: 1))
        #expect(strideOutput.shape == [1, 1, 2, 2])
        #expect(strideOutput.scalars == [12, 16, 24, 28])
    }

    @Test func backwardAccumulatesParameterGradients() {
        let (conv, parameters, input) = Self.randomSetup(
            inputShape: [2, 2, 5, 4], outputChannels: 3, kernelHeight: 3, kernelWidth: 3,
            stride: 1, padding: 1, bias: true, seed: 99)
        var rng = RandomGenerator(seed: 5)
        let output = conv.forward(input, parameters: parameters)
        let probe = Tensor.randomNormal(shape: output.shape, using: &rng)
        var once = ParameterSet.zeros(like: parameters)
        _ = conv.backward(probe, parameters: parameters, gradient: &once)
        var twice = ParameterSet.zeros(like: parameters)
        _ = conv.backward(probe, parameters: parameters, gradient: &twice)
        _ = conv.backward(probe, parameters: parameters, gradient: &twice)
        #expect(once.values.contains { $0 != 0 })
        for i in 0..<once.values.count {
            #expect(abs(twice.values[i] - 2 * once.values[i]) <= 1e-5 * max(1, abs(once.values[i])))
        }
    }

    /// At a stem's shape (oneDNN forms the bias gradient in the kernel gradient's pass),
    /// `backward` and `accumulateParameterGradients` give the same parameter gradients, bit
    /// for bit, and the bias gradient is `Tensor.conv2dBiasGradient`'s (a sum in Double) to
    /// float rounding.
    @Test(arguments: [true, false]) func parameterGradientsAtAStemShapeAgree(bias: Bool) {
        let (conv, parameters, input) = Self.randomSetup(
            inputShape: [3, 3, 32, 32], outputChannels: 8, kernelHeight: 3, kernelWidth: 3,
            stride: 2, padding: 1, bias: bias, seed: 98)
        var rng = RandomGenerator(seed: 6)
        let probe = Tensor.randomNormal(shape: conv.forward(input, parameters: parameters).shape, using: &rng)
        var full = ParameterSet.zeros(like: parameters), alone = ParameterSet.zeros(like: parameters)
        _ = conv.backward(probe, parameters: parameters, gradient: &full)
        conv.accumulateParameterGradients(probe, parameters: parameters, gradient: &alone)
        #expect(full.values.map(\.bitPattern) == alone.values.map(\.bitPattern))
        #expect(full.tensor(conv.weight).scalars.contains { $0 != 0 })
        if let view = conv.bias {
            var expected = [Float](repeating: 0, count: 8)
            expected.withUnsafeMutableBufferPointer { Tensor.conv2dBiasGradient(outputGradient: probe, accumulatingInto: $0) }
            for (got, want) in zip(alone.tensor(view).scalars, expected) {
                #expect(abs(got - want) <= 1e-5 * max(1, abs(want)))
            }
        }
    }

    @Test func heInitialisationHasTheDocumentedSpread() {
        var layout = ParameterLayout()
        let conv = Conv2d(name: "conv", inputChannels: 16, outputChannels: 64, kernelSize: 3, layout: &layout)
        var parameters = ParameterSet(layout: layout, repeating: 7)
        var rng = RandomGenerator(seed: 3)
        conv.initialize(&parameters, using: &rng)
        let weight = parameters.tensor(conv.weight)
        let (mean, variance) = weight.meanAndVariance()
        let expected = 2.0 / Double(16 * 9)  // 2 / fanIn
        // 9216 samples: the variance estimate's relative standard error is √(2/9216) ≈ 1.5%.
        #expect(abs(mean) < 0.01)
        #expect(abs(variance / expected - 1) < 0.06)
        #expect(parameters.tensor(conv.bias!).scalars.allSatisfy { $0 == 0 })

        var again = ParameterSet(layout: layout)
        var rng2 = RandomGenerator(seed: 3)
        conv.initialize(&again, using: &rng2)
        #expect(again == parameters)
    }
}
