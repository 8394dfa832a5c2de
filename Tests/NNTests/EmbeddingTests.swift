import NN
import Tensor
import Testing

@Suite struct EmbeddingTests {
    /// Table rows are 10·id + column, so every gathered value says where it came from.
    func makeLayer() -> (Embedding, ParameterSet) {
        var layout = ParameterLayout()
        let layer = Embedding("tok", vocabularySize: 4, dimension: 3, layout: &layout)
        var parameters = ParameterSet(layout: layout)
        parameters.set(layer.table, to: Tensor(shape: [4, 3], scalars: (0..<4).flatMap { id in (0..<3).map { Float(10 * id + $0) } }))
        return (layer, parameters)
    }

    @Test func registersOneEmbeddingTable() {
        let (layer, parameters) = makeLayer()
        #expect(parameters.views.map(\.name) == ["tok.weight"])
        #expect(layer.table.shape == [4, 3] && layer.table.kind == .embedding)
    }

    @Test func gathersTheRowsOfTheIds() {
        let (layer, parameters) = makeLayer()
        let y = layer.forward(Tensor(shape: [2, 2], scalars: [2, 0, 1, 2]), parameters: parameters)
        #expect(y.shape == [2, 2, 3])
        #expect(y.scalars == [20, 21, 22, 0, 1, 2, 10, 11, 12, 20, 21, 22])
    }

    @Test func backwardScatterAddsAndAccumulatesRepeatedIds() {
        let (layer, parameters) = makeLayer()
        let ids = Tensor(shape: [1, 3], scalars: [3, 1, 3])
        _ = layer.forward(ids, parameters: parameters)
        var gradient = ParameterSet(layout: parameters.layout, repeating: 0.5)
        let dy = Tensor(shape: [1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let dx = layer.backward(dy, parameters: parameters, gradient: &gradient)
        #expect(dx.shape == [1, 3] && dx.scalars.allSatisfy { $0 == 0 })
        // id 0, 2 untouched (0.5 from before), id 1 gets row 2, id 3 gets rows 1 + 3; all added to 0.5.
        #expect(gradient.values == [0.5, 0.5, 0.5, 4.5, 5.5, 6.5, 0.5, 0.5, 0.5, 8.5, 10.5, 12.5])
    }

    /// Embedding inputs cannot be perturbed, so the check runs through a wrapper that
    /// feeds fixed ids and ignores its own (dummy) input.
    @Test func gradientCheckOfTheTableWithRepeatedIds() {
        var layout = ParameterLayout()
        let embedding = Embedding("tok", vocabularySize: 5, dimension: 4, layout: &layout)
        let ids = Tensor(shape: [2, 4], scalars: [0, 3, 3, 1, 4, 3, 0, 0])
        let layer = FixedInput(embedding, input: ids)
        let parameters = GradientCheck.randomParameters(layout, seed: 1)
        GradientCheck.check(layer, input: Tensor(shape: [1]), parameters: parameters)
    }

    @Test func defaultInitialisationHasStandardDeviationOneOverRootDimension() {
        var layout = ParameterLayout()
        let layer = Embedding("tok", vocabularySize: 500, dimension: 16, layout: &layout)
        #expect(layer.standardDeviation == 0.25)
        var parameters = ParameterSet(layout: layout)
        var rng = RandomGenerator(seed: 2)
        layer.initialize(&parameters, using: &rng)
        let variance = parameters.values.map { Double($0) * Double($0) }.reduce(0, +) / Double(parameters.values.count)
        // 8000 samples of N(0, 1/16): standard error of the variance ≈ 0.0625·√(2/8000) ≈ 0.001.
        #expect(abs(variance - 0.0625) < 0.005)
    }

    @Test func outOfRangeIdStopsNamingLayerIdAndVocabulary() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var layout = ParameterLayout()
            let layer = Embedding("tok", vocabularySize: 4, dimension: 2, layout: &layout)
            _ = layer.forward(Tensor(shape: [1, 2], scalars: [1, 7]), parameters: ParameterSet(layout: layout))
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("Embedding 'tok'") && message.contains("id 7") && message.contains("vocabulary size 4"))
        }
    }
}

/// Runs `inner` on a fixed `input` whatever it is given, and returns a zero gradient for
/// the given input: lets `GradientCheck` check the parameters of layers whose own input
/// cannot be perturbed (token ids).
final class FixedInput: Layer {
    let inner: any Layer
    let input: Tensor
    var name: String { inner.name }
    var parameterViews: [ParameterView] { inner.parameterViews }

    init(_ inner: any Layer, input: Tensor) {
        self.inner = inner
        self.input = input
    }

    func forward(_ ignored: Tensor, parameters: ParameterSet) -> Tensor {
        inner.forward(input, parameters: parameters)
    }

    func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let innerGradient = inner.backward(outputGradient, parameters: parameters, gradient: &gradient)
        #expect(innerGradient.scalars.allSatisfy { $0 == 0 })
        return Tensor(shape: [1])
    }
}
