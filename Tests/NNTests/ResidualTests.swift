import NN
import Tensor
import Testing

@Suite struct ResidualTests {
    @Test func forwardAddsTheInput() {
        var layout = ParameterLayout()
        let inner = Linear("res.fc", inputFeatures: 3, outputFeatures: 3, layout: &layout)
        let block = Residual("res", inner)
        let parameters = GradientCheck.randomParameters(layout, seed: 1)
        let x = GradientCheck.randomInput([2, 3], seed: 2)
        var expected = inner.forward(x, parameters: parameters)
        expected.add(x)
        #expect(block.forward(x, parameters: parameters) == expected)
        #expect(block.parameterViews == inner.parameterViews)
    }

    @Test func gradientCheckAroundALinear() {
        var layout = ParameterLayout()
        let block = Residual("res", Linear("res.fc", inputFeatures: 4, outputFeatures: 4, layout: &layout))
        let parameters = GradientCheck.randomParameters(layout, seed: 3)
        GradientCheck.check(block, input: GradientCheck.randomInput([3, 4], seed: 4), parameters: parameters)
    }

    /// A pre-norm transformer MLP block: x + fc2(gelu(fc1(ln(x)))) on a [batch, seq, dim] input.
    @Test func gradientCheckOfAPreNormBlock() {
        var layout = ParameterLayout()
        let block = Residual("block", Sequential("block.mlp", [
            LayerNorm("block.ln", features: 4, layout: &layout),
            Linear("block.fc1", inputFeatures: 4, outputFeatures: 8, layout: &layout),
            GELU(),
            Linear("block.fc2", inputFeatures: 8, outputFeatures: 4, layout: &layout),
        ]))
        let parameters = GradientCheck.randomParameters(layout, seed: 5, standardDeviation: 0.7)
        GradientCheck.check(block, input: GradientCheck.randomInput([2, 3, 4], seed: 6), parameters: parameters)
    }

    @Test func innerShapeChangeStopsNamingTheBlock() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var layout = ParameterLayout()
            let block = Residual("res5", Linear("fc", inputFeatures: 3, outputFeatures: 2, layout: &layout))
            _ = block.forward(Tensor(shape: [1, 3]), parameters: ParameterSet(layout: layout))
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("Residual 'res5'") && message.contains("[1, 2]") && message.contains("[1, 3]"))
        }
    }
}
