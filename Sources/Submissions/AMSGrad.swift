import Core
import Foundation
import NN

/// AMSGrad with linear warmup and cosine decay.
///
/// Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018), as optax's
/// `amsgrad`: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `v̂_max ← max(v̂_max, v/(1−β₂ᵗ))`, `θ ← θ − η_t·(m/(1−β₁ᵗ)) / (√v̂_max + ε)`.
/// The paper keeps the maximum of the uncorrected `v` and has no bias correction; optax
/// takes the maximum of the bias-corrected estimate, and so does this file.
public struct AMSGrad: Submission, OptaxConformant {
    public static let name = "amsgrad"
    public static let optaxReference = "optax.amsgrad"

    public static let searchSpace = SearchSpace.adamFamily()
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults()

    let schedule: WarmupCosineSchedule
    let epsilon: Float
    var moments: MomentBuffers
    var maximumSecondMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        maximumSecondMoment = moments.first
        gradient = ParameterSet(layout: info.layout)
    }

    /// Adam's step with v̂ replaced by the running maximum of the corrected v.
    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, corrections, eps) = (moments.decay, moments.decay.corrections(atStep: context.step), epsilon)
        FusedUpdate.apply(
            &parameters.values, &moments.first, &moments.second, &maximumSecondMoment, gradient: gradient.values
        ) { theta, m, v, vMax, g in
            m = decay.first(m, g)
            v = decay.second(v, g)
            vMax = max(vMax, v / corrections.second)
            theta -= rate * (m / corrections.first) / (vMax.squareRoot() + eps)
        }
    }

    public var stateBytes: Int { moments.stateBytes + maximumSecondMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("eps_root", is: .number(0), optaxDefault: .number(0))
        try a.require("mu_dtype", is: .null, optaxDefault: .null)
        try a.require("bias_correction_mu", is: .bool(true), optaxDefault: .bool(true))
        try a.require("bias_correction_nu", is: .bool(true), optaxDefault: .bool(true))
        return try OptaxMapping.adamHyperparameters(&a)
    }
}
