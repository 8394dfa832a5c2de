import Core
import Foundation
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

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 1e-4, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    var firstMoment: [Float]
    var secondMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        guard let t = theta.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress, let gp = g.baseAddress else { return }
                        AdamWKernel.apply(
                            theta: t, firstMoment: mp, secondMoment: vp, gradient: gp, count: theta.count, beta1: b1, beta2: b2,
                            correction1: correction1, correction2: correction2, epsilon: eps, rate: rate, decay: decay)
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 2 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try OptaxMapping.requireAdamDefaults(&a)
        try a.require("mask", is: .null, optaxDefault: .null)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "epsilon": try a.number("eps", default: 1e-8),
            "weight_decay": try a.number("weight_decay", default: 1e-4),
        ])
    }
}
