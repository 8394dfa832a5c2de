import Core
import Foundation
import NN

/// NAdamW: Adam with Nesterov momentum and decoupled weight decay, linear warmup and
/// cosine decay (AlgoPerf's NAdamW baseline).
///
/// Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop), with
/// Loshchilov & Hutter's decoupled decay, as optax's `nadamw`:
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `m̂ = β₁·m/(1−β₁ᵗ⁺¹) + (1−β₁)·g/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`,
/// `θ ← θ − η_t·(m̂/(√v̂ + ε) + λθ)`. Dozat's paper uses a momentum schedule μ_t and the
/// product of past μ's in the correction; optax (and AlgoPerf) fix μ_t = β₁, which gives
/// the corrections above. The decay is scaled by η_t, as in optax.
public struct NAdamW: Submission, OptaxConformant {
    public static let name = "nadamw"
    public static let optaxReference = "optax.nadamw"

    public static let searchSpace = AdamW.searchSpace
    public static let defaultHyperparameters = AdamW.defaultHyperparameters

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

    /// Nesterov's look-ahead: m̂ blends the new m (corrected one step ahead) with g.
    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let decay = moments.decay
        let momentumScale = decay.beta1 / Float(1 - pow(Double(decay.beta1), t + 1))
        let gradientScale = (1 - decay.beta1) / Float(1 - pow(Double(decay.beta1), t))
        let correction2 = decay.corrections(atStep: context.step).second
        let (eps, weightDecay) = (epsilon, weightDecay)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, v, g in
            m = decay.first(m, g)
            v = decay.second(v, g)
            let mHat = momentumScale * m + gradientScale * g
            theta -= rate * (mHat / ((v / correction2).squareRoot() + eps) + weightDecay * theta)
        }
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try OptaxMapping.requireAdamDefaults(&a, nesterov: true)
        try a.require("mask", is: .null, optaxDefault: .null)
        return try OptaxMapping.adamHyperparameters(&a, adding: ["weight_decay": try a.number("weight_decay", default: 1e-4)])
    }
}
