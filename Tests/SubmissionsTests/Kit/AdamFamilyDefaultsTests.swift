import Core
import Testing
@testable import Submissions

@Suite struct AdamFamilyDefaultsTests {
    @Test func theSharedSpaceIsAlgoPerfsNAdamWRanges() {
        let space = SearchSpace.adamFamily(adding: ["weight_decay": .weightDecayRange])
        #expect(space == SearchSpace([
            "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
            "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
            "beta2": .feasiblePoints([0.999]),
            "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
            "warmup_fraction": .feasiblePoints([0.05]),
        ]))
        #expect(SearchSpace.adamFamily(beta2: 0.9999, warmupFraction: 0)
            == SearchSpace([
                "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
                "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
                "beta2": .feasiblePoints([0.9999]),
                "warmup_fraction": .feasiblePoints([0]),
            ]))
    }

    @Test func defaultsCanBeOverridden() {
        #expect(Hyperparameters.adamFamilyDefaults(learningRate: 1e-2, adding: ["epsilon": 1e-3, "beta2": 0.99])
            == Hyperparameters([
                "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.99, "warmup_fraction": 0.05, "epsilon": 1e-3,
            ]))
    }
}
