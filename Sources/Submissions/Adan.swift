import Core
import Foundation
import NN

/// Adan (adaptive Nesterov momentum) with linear warmup and cosine decay.
///
/// Xie et al., "Adan: Adaptive Nesterov Momentum Algorithm for Faster Optimizing Deep
/// Models" (TPAMI 2024), as optax's `adan`: with `Δ = g − g_prev` (0 at the first step),
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)Δ`, `n ← β₃n + (1−β₃)(g + (1−β₂)Δ)²`,
/// bias-corrected `m̂, v̂, n̂`, `θ ← θ − η_t·((m̂ + (1−β₂)v̂)/(√(n̂ + ε_root) + ε) + λθ)`.
/// The paper writes the β's as 1 − optax's (β₁ = 0.02 ↔ 0.98), has no bias correction
/// and applies the decay proximally, `θ ← (θ − η·u)/(1 + λη)`; this file follows optax's
/// additive decoupled decay and corrections.
public struct Adan: Submission, OptaxConformant {
    public static let name = "adan"
    public static let optaxReference = "optax.adan"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.02]),
        "one_minus_beta2": .feasiblePoints([0.08]),
        "one_minus_beta3": .feasiblePoints([0.01]),
        "weight_decay": .range(min: 1e-4, max: 0.1, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.02, "one_minus_beta2": 0.08, "one_minus_beta3": 0.01,
        "weight_decay": 0.02, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, beta3: Float, epsilon: Float, epsilonRoot: Float, weightDecay: Float
    var firstMoment: [Float]
    var differenceMoment: [Float]
    var secondMoment: [Float]
    var previousGradient: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta2"))
        beta3 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta3"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        epsilonRoot = Float(try hyperparameters.nonNegative("epsilon_root", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        differenceMoment = firstMoment
        secondMoment = firstMoment
        previousGradient = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        let correction3 = Float(1 - pow(Double(beta3), t))
        let first = context.step == 0
        let (b1, b2, b3, eps, epsRoot, decay) = (beta1, beta2, beta3, epsilon, epsilonRoot, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                differenceMoment.withUnsafeMutableBufferPointer { v in
                    secondMoment.withUnsafeMutableBufferPointer { n in
                        previousGradient.withUnsafeMutableBufferPointer { previous in
                            gradient.values.withUnsafeBufferPointer { g in
                                for i in 0..<theta.count {
                                    let gi = g[i]
                                    let difference = first ? 0 : gi - previous[i]
                                    previous[i] = gi
                                    let mi = b1 * m[i] + (1 - b1) * gi
                                    let vi = b2 * v[i] + (1 - b2) * difference
                                    let corrected = gi + (1 - b2) * difference
                                    let ni = b3 * n[i] + (1 - b3) * corrected * corrected
                                    m[i] = mi
                                    v[i] = vi
                                    n[i] = ni
                                    let numerator = mi / correction1 + (1 - b2) * (vi / correction2)
                                    let update = numerator / ((ni / correction3 + epsRoot).squareRoot() + eps)
                                    theta[i] -= rate * (update + decay * theta[i])
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 4 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("mask", is: .null, optaxDefault: .null)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.98)),
            "one_minus_beta2": 1 - (try a.number("b2", default: 0.92)),
            "one_minus_beta3": 1 - (try a.number("b3", default: 0.99)),
            "epsilon": try a.number("eps", default: 1e-8),
            "epsilon_root": try a.number("eps_root", default: 1e-8),
            "weight_decay": try a.number("weight_decay", default: 0),
        ])
    }
}
