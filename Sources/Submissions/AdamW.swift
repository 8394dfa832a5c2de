import Core
import NN

/// AdamW with linear warmup and cosine decay (AlgoPerf's AdamW baseline).
///
/// Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019), as optax's
/// `adamw`: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`,
/// `θ ← θ − η_t·(m̂/(√v̂ + ε) + λθ)`, with ε outside the square root and the decay λ
/// scaled by the scheduled rate η_t, as optax does (the paper scales it by the schedule
/// multiplier only). m̂ and v̂ are formed by multiplying with 1/(1−β₁ᵗ) and 1/(1−β₂ᵗ)
/// (`AdamWKernel.direction`), within an ulp of optax's division.
public struct AdamW: Submission, OptaxConformant {
    public static let name = "adamw"
    public static let optaxReference = "optax.adamw"

    public static let searchSpace = SearchSpace.adamFamily(adding: ["weight_decay": .weightDecayRange])
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(adding: ["weight_decay": 1e-4])

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

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        moments.applyAdamW(
            to: &parameters.values, gradient: gradient.values, step: context.step, rate: rate, epsilon: epsilon,
            weightDecay: weightDecay)
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try OptaxMapping.requireAdamDefaults(&a)
        try a.require("mask", is: .null, optaxDefault: .null)
        return try OptaxMapping.adamHyperparameters(&a, adding: ["weight_decay": try a.number("weight_decay", default: 1e-4)])
    }
}
