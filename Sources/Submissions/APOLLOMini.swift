import Core
import NN

/// APOLLO-Mini: APOLLO with a rank-1 random projection and one tensor-wise scaling factor
/// per matrix (SGD-like memory); linear warmup and cosine decay.
///
/// Zhu et al., "APOLLO: SGD-like Memory, AdamW-level Performance" (MLSys 2025): the rule of
/// `APOLLO` (see there) with rank 1, `s = ‖Ñ‖/(‖R‖ + 1e-8)` for the whole tensor, and the
/// reference's heuristic scale α = 128 (the update is multiplied by √α) to make up for the
/// rank-1 estimate; the authors' LLaMA settings otherwise (learning rate 0.01, T = 200).
public struct APOLLOMini: Submission {
    public static let name = "apollo_mini"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1e-1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.1]),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
        "scale": .feasiblePoints([128]),
        "update_proj_gap": .feasiblePoints([200]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "scale": 128,
        "update_proj_gap": 200, "warmup_fraction": 0.05,
    ])

    var core: APOLLOCore

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        core = try APOLLOCore(info: info, hyperparameters: hyperparameters, budget: budget, mini: true)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        try core.step(&parameters, oracle: oracle, context: context)
    }

    public var stateBytes: Int { core.stateBytes }
}
