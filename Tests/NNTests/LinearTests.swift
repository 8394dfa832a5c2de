import NN
import Tensor
import Testing

@Suite struct LinearTests {
    /// A 2×3 input through a 3→2 layer, computed by hand.
    @Test func forwardMatchesHandComputedValues() {
        var layout = ParameterLayout()
        let layer = Linear("fc", inputFeatures: 3, outputFeatures: 2, layout: &layout)
        var parameters = ParameterSet(layout: layout)
        parameters.set(layer.weight, to: Tensor(shape: [2, 3], scalars: [1, 0, -1, 0.5, 1, 2]))
        parameters.set(try! #require(layer.bias), to: Tensor(shape: [2], scalars: [0.1, -0.2]))
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let y = layer.forward(x, parameters: parameters)
        #expect(y.shape == [2, 2])
        let expected: [Float] = [-1.9, 8.3, -1.9, 18.8]
        for (a, e) in zip(y.scalars, expected) { #expect(abs(a - e) < 1e-5) }
    }

    /// Backward on the hand case: dW = dyᵀx, db = Σ dy, dx = dy·W.
    @Test func backwardMatchesHandComputedValues() {
        var layout = ParameterLayout()
        let layer = Linear("fc", inputFeatures: 3, outputFeatures: 2, layout: &layout)
        var parameters = ParameterSet(layout: layout)
        parameters.set(layer.weight, to: Tensor(shape: [2, 3], scalars: [1, 0, -1, 0.5, 1, 2]))
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        _ = layer.forward(x, parameters: parameters)
        var gradient = ParameterSet.zeros(like: parameters)
        let dy = Tensor(shape: [2, 2], scalars: [1, 0, 2, -1])
        let dx = layer.backward(dy, parameters: parameters, gradient: &gradient)
        #expect(gradient.tensor(named: "fc.weight").scalars == [9, 12, 15, -4, -5, -6])
        #expect(gradient.tensor(named: "fc.bias").scalars == [3, -1])
        #expect(dx.scalars == [1, 0, -1, 1.5, -1, -4])
    }

    @Test func registersNamedViewsOfTheRightKinds() {
        var layout = ParameterLayout()
        let a = Linear("a", inputFeatures: 4, outputFeatures: 3, layout: &layout)
        let b = Linear("b", inputFeatures: 3, outputFeatures: 2, bias: false, weightKind: .attentionQ, layout: &layout)
        #expect(layout.views.map(\.name) == ["a.weight", "a.bias", "b.weight"])
        #expect(a.weight.shape == [3, 4] && a.weight.kind == .weight)
        #expect(a.bias?.shape == [3] && a.bias?.kind == .bias)
        #expect(b.bias == nil && b.weight.kind == .attentionQ)
        #expect(a.parameterViews.count == 2 && b.parameterViews.count == 1)
        #expect(layout.count == 12 + 3 + 6)
    }

    @Test(arguments: [true, false])
    func gradientCheckOnMatrixInput(bias: Bool) {
        var layout = ParameterLayout()
        let layer = Linear("fc", inputFeatures: 5, outputFeatures: 4, bias: bias, layout: &layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 1)
        GradientCheck.check(layer, input: GradientCheck.randomInput([6, 5], seed: 2), parameters: parameters)
    }

    @Test func gradientCheckOnThreeDimensionalInput() {
        var layout = ParameterLayout()
        let layer = Linear("fc", inputFeatures: 4, outputFeatures: 3, layout: &layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 3)
        let x = GradientCheck.randomInput([2, 5, 4], seed: 4)
        #expect(layer.forward(x, parameters: parameters).shape == [2, 5, 3])
        GradientCheck.check(layer, input: x, parameters: parameters)
    }

    /// A 3-D input gives the same rows as the flattened 2-D input.
    @Test func leadingAxesAreABatch() {
        var layout = ParameterLayout()
        let layer = Linear("fc", inputFeatures: 4, outputFeatures: 3, layout: &layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 5)
        let x = GradientCheck.randomInput([2, 5, 4], seed: 6)
        let y3 = layer.forward(x, parameters: parameters)
        let y2 = layer.forward(x.reshaped(to: [10, 4]), parameters: parameters)
        #expect(y3.scalars == y2.scalars)
    }

    @Test func backwardAccumulatesParameterGradients() {
        var layout = ParameterLayout()
        let layer = Linear("fc", inputFeatures: 3, outputFeatures: 2, layout: &layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 7)
        let x = GradientCheck.randomInput([4, 3], seed: 8)
        let dy = GradientCheck.randomInput([4, 2], seed: 9)
        var once = ParameterSet.zeros(like: parameters)
        _ = layer.forward(x, parameters: parameters)
        _ = layer.backward(dy, parameters: parameters, gradient: &once)
        var twice = once
        _ = layer.backward(dy, parameters: parameters, gradient: &twice)
        for i in once.values.indices { #expect(abs(twice.values[i] - 2 * once.values[i]) <= 1e-6 * abs(once.values[i]) + 1e-7) }
        #expect(once.values.contains { $0 != 0 })
    }

    @Test func heUniformInitialisationIsBoundedSeededAndBiasFree() {
        var layout = ParameterLayout()
        let layer = Linear("fc", inputFeatures: 50, outputFeatures: 40, layout: &layout)
        func initialised(_ seed: UInt64) -> ParameterSet {
            var p = ParameterSet(layout: layout, repeating: 9)
            var rng = RandomGenerator(seed: seed)
            layer.initialize(&p, using: &rng)
            return p
        }
        let p = initialised(1)
        #expect(p == initialised(1))
        #expect(p != initialised(2))
        let w = p.tensor(layer.weight).scalars
        let bound = (6.0 / 50.0).squareRoot()
        #expect(w.allSatisfy { abs(Double($0)) <= bound })
        // Variance of U(−b, b) is b²/3 = 2/in = 0.04; 2000 samples give a standard error ≈ 0.0013.
        let variance = w.map { Double($0) * Double($0) }.reduce(0, +) / Double(w.count)
        #expect(abs(variance - 0.04) < 0.006)
        #expect(p.tensor(named: "fc.bias").scalars.allSatisfy { $0 == 0 })
    }

    @Test func lecunNormalInitialisationHasVarianceOneOverFanIn() {
        var layout = ParameterLayout()
        let layer = Linear("fc", inputFeatures: 25, outputFeatures: 200, initialization: .lecunNormal, layout: &layout)
        var p = ParameterSet(layout: layout)
        var rng = RandomGenerator(seed: 3)
        layer.initialize(&p, using: &rng)
        let w = p.tensor(layer.weight).scalars
        let variance = w.map { Double($0) * Double($0) }.reduce(0, +) / Double(w.count)
        // 5000 samples of N(0, 0.04): standard error of the variance ≈ 0.04·√(2/5000) ≈ 0.0008.
        #expect(abs(variance - 0.04) < 0.004)
    }

    @Test func wrongInputWidthStopsNamingTheLayer() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var layout = ParameterLayout()
            let layer = Linear("fc9", inputFeatures: 3, outputFeatures: 2, layout: &layout)
            _ = layer.forward(Tensor(shape: [2, 4]), parameters: ParameterSet(layout: layout))
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("Linear 'fc9'") && message.contains("[2, 4]") && message.contains("[..., 3]"))
        }
    }
}
