import NN
import Tensor
import Testing

/// The `Layer` protocol's contract shared by every layer: `accumulateParameterGradients`
/// gives `backward`'s parameter gradients bit for bit, and adds them to what the gradient
/// buffer holds.
@Suite struct LayerTests {
    /// A layer with its input: the layers that skip their input gradient (`Linear`,
    /// `Conv2d`, `Embedding`, and `Sequential` through its first layer) and one that runs
    /// the protocol's default (`LayerNorm`).
    struct Case: CustomTestStringConvertible, Sendable {
        let testDescription: String
        let inputShape: [Int]
        let integerInputs: Int?
        let make: @Sendable (inout ParameterLayout) -> any Layer
    }

    static let cases: [Case] = [
        Case(testDescription: "Linear", inputShape: [5, 4], integerInputs: nil) { layout in
            Linear("fc", inputFeatures: 4, outputFeatures: 3, layout: &layout)
        },
        Case(testDescription: "Conv2d, stride 2", inputShape: [3, 2, 7, 6], integerInputs: nil) { layout in
            Conv2d(name: "conv", inputChannels: 2, outputChannels: 5, kernelSize: 3, stride: 2, padding: 1, layout: &layout)
        },
        Case(testDescription: "Embedding", inputShape: [2, 5], integerInputs: 7) { layout in
            Embedding("tok", vocabularySize: 7, dimension: 4, layout: &layout)
        },
        Case(testDescription: "LayerNorm (the default)", inputShape: [4, 6], integerInputs: nil) { layout in
            LayerNorm("ln", features: 6, layout: &layout)
        },
        Case(testDescription: "Sequential of Conv2d, ReLU, GlobalAvgPool, Linear", inputShape: [2, 3, 8, 8], integerInputs: nil) { layout in
            Sequential("net", [
                Conv2d(name: "stem", inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, layout: &layout),
                ReLU(),
                GlobalAvgPool(name: "pool"),
                Linear("head", inputFeatures: 4, outputFeatures: 2, layout: &layout),
            ])
        },
    ]

    @Test(arguments: cases) func parameterGradientsAloneMatchBackward(_ c: Case) {
        var layout = ParameterLayout()
        let layer = c.make(&layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 1)
        var rng = RandomGenerator(seed: 2)
        let input = c.integerInputs.map { vocabulary in
            Tensor(shape: c.inputShape, scalars: (0..<c.inputShape.reduce(1, *)).map { _ in Float(rng.nextInt(below: vocabulary)) })
        } ?? Tensor.randomNormal(shape: c.inputShape, using: &rng)
        let output = layer.forward(input, parameters: parameters)
        let outputGradient = Tensor.randomNormal(shape: output.shape, using: &rng)
        var viaBackward = ParameterSet(layout: layout, repeating: 0.25)
        _ = layer.backward(outputGradient, parameters: parameters, gradient: &viaBackward)
        _ = layer.forward(input, parameters: parameters)
        var alone = ParameterSet(layout: layout, repeating: 0.25)
        layer.accumulateParameterGradients(outputGradient, parameters: parameters, gradient: &alone)
        #expect(alone.values == viaBackward.values)
        #expect(alone.values.contains { $0 != 0.25 }, "the gradients were added")
    }
}
