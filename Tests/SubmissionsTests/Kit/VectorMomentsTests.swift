import Core
import NN
import Testing
@testable import Submissions

@Suite struct VectorMomentsTests {
    static let hyperparameters = Hyperparameters(["one_minus_beta1": 0.5, "beta2": 0.5])

    static func layout() -> ParameterLayout {
        var layout = ParameterLayout()
        layout.add("w1", shape: [2, 3], kind: .weight)
        layout.add("b1", shape: [2], kind: .bias)
        layout.add("w2", shape: [3, 2, 2, 1], kind: .convWeight)
        layout.add("b2", shape: [3], kind: .bias)
        return layout
    }

    @Test func packsOnlyTheVectorsInLayoutOrder() throws {
        let vectors = try VectorMoments(layout: Self.layout(), hyperparameters: Self.hyperparameters)
        #expect(vectors.offsets == [nil, 0, nil, 2])
        #expect(vectors.holds(1) && vectors.holds(3) && !vectors.holds(0) && !vectors.holds(2))
        #expect(vectors.moments.first.count == 5)
        #expect(vectors.stateBytes == 2 * 5 * 4)
    }

    @Test func updatesOneTensorAndItsMomentsOnly() throws {
        let layout = Self.layout()
        var vectors = try VectorMoments(layout: layout, hyperparameters: Self.hyperparameters)
        var parameters = ParameterSet(layout: layout)
        var gradient = ParameterSet(layout: layout)
        for i in gradient.values.indices { gradient.values[i] = Float(i) }
        let decay = vectors.moments.decay
        vectors.update(3, of: &parameters, gradient: gradient) { theta, m, v, g in
            m = decay.first(m, g)
            v = decay.second(v, g)
            theta = m
        }
        let b2 = layout.views[3].range
        #expect(Array(parameters.values[b2]) == b2.map { Float($0) / 2 })
        #expect(parameters.values[..<b2.lowerBound].allSatisfy { $0 == 0 })
        #expect(vectors.moments.first == [0, 0] + b2.map { Float($0) / 2 })
        #expect(vectors.moments.second == [0, 0] + b2.map { Float($0 * $0) / 2 })
    }
}
