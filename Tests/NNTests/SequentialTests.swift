import NN
import Tensor
import Testing

@Suite struct SequentialTests {
    func makeMLP(_ layout: inout ParameterLayout) -> Sequential {
        Sequential("mlp", [
            Linear("mlp.fc1", inputFeatures: 4, outputFeatures: 6, layout: &layout),
            GELU(),
            Linear("mlp.fc2", inputFeatures: 6, outputFeatures: 3, layout: &layout),
        ])
    }

    @Test func gradientCheckOfLinearGELULinear() {
        var layout = ParameterLayout()
        let model = makeMLP(&layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 1, standardDeviation: 0.7)
        GradientCheck.check(model, input: GradientCheck.randomInput([5, 4], seed: 2), parameters: parameters)
        GradientCheck.check(model, input: GradientCheck.randomInput([2, 3, 4], seed: 3), parameters: parameters)
    }

    @Test func forwardComposesTheLayersInOrder() {
        var layout = ParameterLayout()
        let model = makeMLP(&layout)
        let parameters = GradientCheck.randomParameters(layout, seed: 4)
        let x = GradientCheck.randomInput([3, 4], seed: 5)
        let byHand = model.layers.reduce(x) { $1.forward($0, parameters: parameters) }
        #expect(model.forward(x, parameters: parameters) == byHand)
    }

    @Test func collectsViewsAndInitialisesDeterministically() {
        var layout = ParameterLayout()
        let model = makeMLP(&layout)
        #expect(model.parameterViews.map(\.name) == ["mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"])
        #expect(model.parameterViews == layout.views)
        func initialised(_ seed: UInt64) -> ParameterSet {
            var p = ParameterSet(layout: layout, repeating: 5)
            var rng = RandomGenerator(seed: seed)
            model.initialize(&p, using: &rng)
            return p
        }
        #expect(initialised(3) == initialised(3))
        #expect(initialised(3) != initialised(4))
        #expect(!initialised(3).values.contains(5))
    }

    @Test func setTrainingReachesEveryLayer() {
        let dropout = Dropout(probability: 0.5, seed: 1)
        let model = Sequential("m", [Tanh(), Sequential("inner", [dropout])])
        let x = GradientCheck.randomInput([4, 4], seed: 6)
        let empty = ParameterSet(layout: ParameterLayout())
        model.setTraining(false)
        #expect(!dropout.isTraining)
        #expect(model.forward(x, parameters: empty) == Tanh().forward(x, parameters: empty))
        model.setTraining(true)
        #expect(dropout.isTraining)
    }
}
