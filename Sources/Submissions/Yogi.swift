import Core
import Foundation
import NN

/// Yogi with linear warmup and cosine decay.
///
/// Zaheer et al., "Adaptive Methods for Nonconvex Optimization" (NeurIPS 2018), as optax's
/// `yogi`: `m ← β₁m + (1−β₁)g`, `v ← v − (1−β₂)·sign(v − g²)·g²` (additive, so `v` can
/// only change by (1−β₂)g² per step), `θ ← θ − η_t·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`,
/// both moments starting at 1e-6. The paper has no bias correction and starts `v` at
/// ε-sized values; optax applies Adam's corrections, and so does this file.
public struct Yogi: Submission, OptaxConformant {
    public static let name = "yogi"
    public static let optaxReference = "optax.yogi"

    public static let searchSpace = SearchSpace.adamFamily(adding: ["epsilon": .range(min: 1e-6, max: 1e-3, scaling: .log)])
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(learningRate: 1e-2, adding: ["epsilon": 1e-3])

    let schedule: WarmupCosineSchedule
    let epsilon: Float
    var moments: MomentBuffers
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-3))
        let initial = Float(try hyperparameters.nonNegative("initial_accumulator", default: 1e-6))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count, initialValue: initial)
        gradient = ParameterSet(layout: info.layout)
    }

    /// Adam's step with the additive second-moment update `v ← v − (1−β₂)·sign(v − g²)·g²`.
    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, corrections, eps) = (moments.decay, moments.decay.corrections(atStep: context.step), epsilon)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, v, g in
            let square = g * g
            m = decay.first(m, g)
            v -= (1 - decay.beta2) * (v - square).signum * square
            theta -= corrections.step(rate: rate, m: m, v: v, epsilon: eps)
        }
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try OptaxMapping.adamHyperparameters(&a, epsDefault: 1e-3)
    }
}
