import Core
import Foundation
import NN

/// D-Adaptation AdamW: Adam whose step size D is estimated on the fly.
///
/// Defazio & Mishchenko, "Learning-Rate-Free Learning by D-Adaptation" (ICML 2023),
/// Adam variant, as optax's `contrib.dadapt_adamw`. With `γ_t` the scheduled multiplier
/// (`learning_rate`, 1 by default), `d_lr = D·γ_t·√(1−β₂ᵗ)/(1−β₁ᵗ)`, `√β₂ = β₂'`:
/// `r ← β₂'r + (1−β₂')·d_lr·⟨g, s/(√v + ε)⟩` (old s, v), `m ← β₁m + (1−β₁)·d_lr·g`,
/// `v ← β₂v + (1−β₂)g²`, `s ← β₂'s + (1−β₂')·d_lr·g`, `D ← max(D, r/((1−β₂')‖s‖₁))`,
/// `θ ← θ − m/(√v + ε) − λ·d_lr·θ`. Starts at D = `initial_d` (optax's `estim_lr0`).
/// Identical to the paper's Algorithm (Adam version) and its reference code.
public struct DAdaptAdamW: Submission, OptaxConformant {
    public static let name = "dadapt_adamw"
    public static let optaxReference = "optax.contrib.dadapt_adamw"

    /// The learning rate is a multiplier on the estimated distance D, so only a few points
    /// around 1 are searched (also Prodigy's space).
    public static let searchSpace = SearchSpace.adamFamily(adding: [
        "learning_rate": .feasiblePoints([0.5, 1, 2]), "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
    ])
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(
        learningRate: 1, adding: ["weight_decay": 0, "initial_d": 1e-6])

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float
    var moments: MomentBuffers
    var gradientSum: [Float]
    /// The current step-size estimate D.
    public private(set) var distance: Float
    var numerator: Float = 0
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        distance = Float(try hyperparameters.positive("initial_d", default: 1e-6))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        gradientSum = moments.first
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let multiplier = schedule.learningRate(at: context.step)
        let averages = moments.decay
        let (b1, b2, eps, decay) = (averages.beta1, averages.beta2, epsilon, weightDecay)
        let correction = (1 - pow(Double(b2), t)).squareRoot() / (1 - pow(Double(b1), t))
        let dlr = Float(Double(distance) * multiplier * correction)
        let sqrtBeta2 = Float(Double(b2).squareRoot())
        var inner = 0.0, sumNorm = 0.0
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, &gradientSum, gradient: gradient.values) {
            theta, m, v, s, g in
            inner += Double(g) * Double(s / (v.squareRoot() + eps))
            m = b1 * m + (1 - b1) * dlr * g
            v = averages.second(v, g)
            s = sqrtBeta2 * s + (1 - sqrtBeta2) * dlr * g
            sumNorm += Double(abs(s))
            theta += -decay * dlr * theta - m / (v.squareRoot() + eps)
        }
        numerator = sqrtBeta2 * numerator + (1 - sqrtBeta2) * dlr * Float(inner)
        if sumNorm > 0 {
            distance = max(distance, numerator / ((1 - sqrtBeta2) * Float(sumNorm)))
        }
    }

    public var stateBytes: Int { moments.stateBytes + gradientSum.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        let (b1, b2) = try a.pair("betas", default: (0.9, 0.999))
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - b1, "beta2": b2,
            "epsilon": try a.number("eps", default: 1e-8),
            "initial_d": try a.number("estim_lr0", default: 1e-6),
            "weight_decay": try a.number("weight_decay", default: 0),
        ])
    }
}
