import Core
import Foundation
import NN

/// Grams: Adam's update magnitude with the current gradient's sign; linear warmup and
/// cosine decay.
///
/// Cao et al., "Grams: Gradient Descent with Adaptive Momentum Scaling" (2024), Algorithm 1:
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `u = (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`,
/// `θ ← θ − η_t·(sign(g)·|u| + λθ)` with sign(0) = 0. The paper applies the decoupled decay
/// as `θ ← (1 − η_tλ)θ` before the step; folding it into the same update (as `AdamW`
/// does) is the same map. Defaults follow the paper's Adam settings (β₁ = 0.9,
/// β₂ = 0.999, ε = 1e-8).
public struct Grams: Submission {
    public static let name = "grams"

    public static let searchSpace = AdamW.searchSpace
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(adding: ["weight_decay": 0])

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float
    var moments: MomentBuffers
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    /// Adam's magnitude with the gradient's sign (0 where g is 0), then decoupled decay.
    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, corrections, eps, weightDecay) = (moments.decay, moments.decay.corrections(atStep: context.step), epsilon, weightDecay)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, v, g in
            m = decay.first(m, g)
            v = decay.second(v, g)
            let update = corrections.direction(m: m, v: v, epsilon: eps).magnitude(signedLike: g)
            theta -= rate * (update + weightDecay * theta)
        }
    }

    public var stateBytes: Int { moments.stateBytes }
}
