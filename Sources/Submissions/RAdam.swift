import Core
import Foundation
import NN

/// Rectified Adam with linear warmup and cosine decay.
///
/// Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (ICLR 2020), as
/// optax's `radam`: Adam's moments; with `ρ∞ = 2/(1−β₂) − 1` and
/// `ρ_t = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)`, when `ρ_t ≥ 5` (optax's `threshold`)
/// `θ ← θ − η_t·r_t·m̂/(√v̂ + ε)` with
/// `r_t = √((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t))`, otherwise the un-adapted momentum
/// step `θ ← θ − η_t·m̂`. The paper switches at ρ_t > 4; optax uses ρ_t ≥ 5.
public struct RAdam: Submission, OptaxConformant {
    public static let name = "radam"
    public static let optaxReference = "optax.radam"

    public static let searchSpace = SearchSpace.adamFamily(warmupFraction: 0)
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(warmupFraction: 0)

    let schedule: WarmupCosineSchedule
    let epsilon: Float, threshold: Double
    var moments: MomentBuffers
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        threshold = try hyperparameters.nonNegative("threshold", default: 5)
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    /// The rectification r_t of the paper's Algorithm 2, or plain momentum while the
    /// approximated SMA length ρ_t is below the threshold.
    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, corrections, eps) = (moments.decay, moments.decay.corrections(atStep: context.step), epsilon)
        let beta2Power = pow(Double(decay.beta2), t)
        let rhoInfinity = 2 / (1 - Double(decay.beta2)) - 1
        let rho = rhoInfinity - 2 * t * beta2Power / (1 - beta2Power)
        let rectified = rho >= threshold
        let r = rectified
            ? Float(((rho - 4) * (rho - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho)).squareRoot()) : 0
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, v, g in
            m = decay.first(m, g)
            v = decay.second(v, g)
            let mHat = m / corrections.first
            theta -= rate * (rectified ? r * mHat / ((v / corrections.second).squareRoot() + eps) : mHat)
        }
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("eps_root", is: .number(0), optaxDefault: .number(0))
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        return try OptaxMapping.adamHyperparameters(&a, adding: ["threshold": try a.number("threshold", default: 5)])
    }
}
