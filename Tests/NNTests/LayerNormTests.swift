import NN
import Tensor
import Testing

@Suite struct LayerNormTests {
    func makeLayer(features: Int, epsilon: Float = 1e-5) -> (LayerNorm, ParameterSet) {
        var layout = ParameterLayout()
        let layer = LayerNorm("ln", features: features, epsilon: epsilon, layout: &layout)
        var parameters = ParameterSet(layout: layout, repeating: 7)
        var rng = RandomGenerator(seed: 0)
        layer.initialize(&parameters, using: &rng)
        return (layer, parameters)
    }

    @Test func registersScaleAndShiftInitialisedToOneAndZero() {
        let (layer, parameters) = makeLayer(features: 4)
        #expect(parameters.views.map(\.name) == ["ln.scale", "ln.shift"])
        #expect(layer.scale.kind == .normScale && layer.shift.kind == .normShift)
        #expect(parameters.tensor(layer.scale).scalars == [1, 1, 1, 1])
        #expect(parameters.tensor(layer.shift).scalars == [0, 0, 0, 0])
    }

    @Test func outputRowsHaveZeroMeanAndUnitVariance() {
        let (layer, parameters) = makeLayer(features: 16)
        var rng = RandomGenerator(seed: 1)
        let x = Tensor.randomNormal(shape: [3, 5, 16], mean: 4, standardDeviation: 3, using: &rng)
        let y = layer.forward(x, parameters: parameters)
        #expect(y.shape == x.shape)
        for row in 0..<15 {
            let values = y.scalars[(row * 16)..<(row * 16 + 16)].map(Double.init)
            let mean = values.reduce(0, +) / 16
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 16
            #expect(abs(mean) < 1e-6)
            // σ²/(σ² + ε) with σ² ≈ 9 differs from one by about 1e-6.
            #expect(abs(variance - 1) < 1e-4)
        }
    }

    /// Row [1, 2, 3]: mean 2, variance 2/3, so x̂ = [−√1.5, 0, √1.5]; then γ = [1, 2, 3], β = [0, 1, 0].
    @Test func forwardMatchesHandComputedValues() {
        let (layer, start) = makeLayer(features: 3, epsilon: 1e-5)
        var parameters = start
        parameters.set(layer.scale, to: Tensor(shape: [3], scalars: [1, 2, 3]))
        parameters.set(layer.shift, to: Tensor(shape: [3], scalars: [0, 1, 0]))
        let y = layer.forward(Tensor(shape: [1, 3], scalars: [1, 2, 3]), parameters: parameters)
        let s = Float(1 / (2.0 / 3.0 + 1e-5).squareRoot())
        let expected: [Float] = [-s, 1, 3 * s]
        for (a, e) in zip(y.scalars, expected) { #expect(abs(a - e) < 1e-5) }
    }

    /// With ε = 1 the row [1, 3] (variance 1) normalises to ±1/√2; a constant row gives β.
    @Test func epsilonIsConfigurable() {
        let (layer, parameters) = makeLayer(features: 2, epsilon: 1)
        let y = layer.forward(Tensor(shape: [2, 2], scalars: [1, 3, 5, 5]), parameters: parameters)
        let r = Float(0.5.squareRoot())
        #expect(abs(y.scalars[0] + r) < 1e-6 && abs(y.scalars[1] - r) < 1e-6)
        #expect(y.scalars[2] == 0 && y.scalars[3] == 0)
    }

    @Test func gradientCheckOnMatrixInput() {
        var layout = ParameterLayout()
        let layer = LayerNorm("ln", features: 6, layout: &layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 2)
        GradientCheck.check(layer, input: GradientCheck.randomInput([4, 6], seed: 3), parameters: parameters)
    }

    @Test func gradientCheckOnThreeDimensionalInput() {
        var layout = ParameterLayout()
        let layer = LayerNorm("ln", features: 5, layout: &layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 4)
        GradientCheck.check(layer, input: GradientCheck.randomInput([2, 3, 5], seed: 5), parameters: parameters, samples: 30)
    }

    @Test func wrongFeatureCountStopsNamingTheLayer() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var layout = ParameterLayout()
            let layer = LayerNorm("ln7", features: 4, layout: &layout)
            _ = layer.forward(Tensor(shape: [2, 3, 5]), parameters: ParameterSet(layout: layout))
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("LayerNorm 'ln7'") && message.contains("[2, 3, 5]") && message.contains("[..., 4]"))
        }
    }
}
