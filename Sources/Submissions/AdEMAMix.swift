import Core
import NN

/// AdEMAMix (a mixture of a fast and a slow gradient EMA) with linear warmup and cosine decay.
///
/// Pagliardini, Ablin & Grangier, "The AdEMAMix Optimizer: Better, Faster, Older"
/// (ICLR 2025), as optax's `contrib.ademamix` with constant α and β₃:
/// `m₁ ← β₁m₁ + (1−β₁)g`, `m₂ ← β₃m₂ + (1−β₃)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − η_t·((m₁/(1−β₁ᵗ) + α·m₂)/(√(v/(1−β₂ᵗ)) + ε) + λθ)`; the slow EMA is not
/// bias-corrected. The paper also warms α and β₃ up over the run (its schedulers); optax
/// accepts them as schedules, this file keeps them constant.
public struct AdEMAMix: Submission, OptaxConformant {
    public static let name = "ademamix"
    public static let optaxReference = "optax.contrib.ademamix"

    public static let searchSpace = SearchSpace.adamFamily(adding: [
        "beta3": .feasiblePoints([0.999, 0.9999]), "alpha": .range(min: 2, max: 10, scaling: .linear),
        "weight_decay": .weightDecayRange,
    ])
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(
        learningRate: 2e-3, adding: ["beta3": 0.999, "alpha": 5, "weight_decay": 1e-4])

    let schedule: WarmupCosineSchedule
    let beta3: Float, alpha: Float, epsilon: Float, weightDecay: Float
    /// m₁ (the fast EMA) and v.
    var moments: MomentBuffers
    /// m₂, the slow EMA.
    var slowMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        beta3 = Float(try hyperparameters.decayRate("beta3"))
        alpha = Float(try hyperparameters.nonNegative("alpha"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        slowMoment = moments.first
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, c, b3, a, eps, lambda) = (moments.decay, moments.decay.corrections(atStep: context.step), beta3, alpha, epsilon, weightDecay)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, &slowMoment, gradient: gradient.values) { theta, m1, v, m2, g in
            let (fast, slow, second) = (decay.first(m1, g), b3 * m2 + (1 - b3) * g, decay.second(v, g))
            (m1, m2, v) = (fast, slow, second)
            theta -= rate * ((fast / c.first + a * slow) / ((second / c.second).squareRoot() + eps) + lambda * theta)
        }
    }

    public var stateBytes: Int { moments.stateBytes + slowMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("eps_root", is: .number(0), optaxDefault: .number(0))
        try a.require("mu_dtype", is: .null, optaxDefault: .null)
        try a.require("mask", is: .null, optaxDefault: .null)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "beta3": try a.number("b3", default: 0.9999),
            "alpha": try a.number("alpha", default: 5),
            "epsilon": try a.number("eps", default: 1e-8),
            "weight_decay": try a.number("weight_decay", default: 0),
        ])
    }
}
