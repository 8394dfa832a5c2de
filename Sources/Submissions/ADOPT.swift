import Core
import Foundation
import NN

/// ADOPT (Adam with decorrelated, clipped normalisation) with linear warmup and cosine decay.
///
/// Taniguchi et al., "ADOPT: Modified Adam Can Converge with Any β₂ with the Optimal Rate"
/// (NeurIPS 2024), as optax's `contrib.adopt` (with clipping): the first step only sets
/// `v = g²`; afterwards, with the previous `v`,
/// `m ← β₁m + (1−β₁)·clip(g/max(√v, ε), ±c_t)` where `c_t = t^¼` (t = steps taken),
/// `θ ← θ − η_t·m`, then `v ← β₂v + (1−β₂)g²`. Same as the paper's clipped Algorithm 2.
public struct ADOPT: Submission, OptaxConformant {
    public static let name = "adopt"
    public static let optaxReference = "optax.contrib.adopt"

    public static let searchSpace = SearchSpace.adamFamily(beta2: 0.9999)
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(beta2: 0.9999)

    let schedule: WarmupCosineSchedule
    let epsilon: Float
    var moments: MomentBuffers
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.positive("epsilon", default: 1e-6))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    /// The gradient is normalised by the previous step's v (then clipped at t^¼) before it
    /// enters m; v is updated after.
    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        if context.step == 0 {
            // Optax's first update: ν = g², μ stays 0, so the parameters do not move.
            FusedUpdate.apply(&parameters.values, &moments.second, gradient: gradient.values) { _, v, g in v = g * g }
            return
        }
        let rate = Float(schedule.learningRate(at: context.step))
        let clip = Float(pow(Double(context.step), 0.25))
        let (decay, eps) = (moments.decay, epsilon)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, v, g in
            let normalised = min(max(g / max(v.squareRoot(), eps), -clip), clip)
            m = decay.first(m, normalised)
            v = decay.second(v, g)
            theta -= rate * m
        }
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("mu_dtype", is: .null, optaxDefault: .null)
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        try a.require("use_clipping", is: .bool(true), optaxDefault: .bool(true))
        return try OptaxMapping.adamHyperparameters(&a, b2Default: 0.9999, epsDefault: 1e-6)
    }
}
