import Core
import Foundation
import NN

/// Adam with linear warmup and cosine decay, and an optional L2 term coupled to the
/// gradient (the original, non-decoupled weight decay; see `AdamW` for the decoupled one).
///
/// Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), as optax's
/// `adam`: with `d = g + λθ`, `m ← β₁m + (1−β₁)d`, `v ← β₂v + (1−β₂)d²`,
/// `θ ← θ − η_t·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`. The paper's Algorithm 1 is the same;
/// its "efficient" variant folds the bias corrections into η and so moves ε, which optax
/// (and this file) do not.
public struct Adam: Submission, OptaxConformant {
    public static let name = "adam"
    public static let optaxReference = "optax.adam"

    public static let searchSpace = SearchSpace.adamFamily(adding: ["l2": .range(min: 1e-7, max: 1e-3, scaling: .log)])
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(adding: ["l2": 0])

    let schedule: WarmupCosineSchedule
    let epsilon: Float, l2: Float
    var moments: MomentBuffers
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        l2 = Float(try hyperparameters.nonNegative("l2", default: 0))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, corrections, eps, l2) = (moments.decay, moments.decay.corrections(atStep: context.step), epsilon, l2)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, v, g in
            let d = g + l2 * theta
            m = decay.first(m, d)
            v = decay.second(v, d)
            theta -= corrections.step(rate: rate, m: m, v: v, epsilon: eps)
        }
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try OptaxMapping.requireAdamDefaults(&a)
        return try OptaxMapping.adamHyperparameters(&a, adding: ["l2": 0])
    }
}
