import Core
import Foundation
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

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "beta3": .feasiblePoints([0.999, 0.9999]),
        "alpha": .range(min: 2, max: 10, scaling: .linear),
        "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 2e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "beta3": 0.999, "alpha": 5,
        "weight_decay": 1e-4, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, beta3: Float, alpha: Float, epsilon: Float, weightDecay: Float
    var fastMoment: [Float]
    var slowMoment: [Float]
    var secondMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        beta3 = Float(try hyperparameters.decayRate("beta3"))
        alpha = Float(try hyperparameters.nonNegative("alpha"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        fastMoment = [Float](repeating: 0, count: info.layout.count)
        slowMoment = fastMoment
        secondMoment = fastMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        let (b1, b2, b3, a, eps, decay) = (beta1, beta2, beta3, alpha, epsilon, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            fastMoment.withUnsafeMutableBufferPointer { m1 in
                slowMoment.withUnsafeMutableBufferPointer { m2 in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        gradient.values.withUnsafeBufferPointer { g in
                            for i in 0..<theta.count {
                                let gi = g[i]
                                let fast = b1 * m1[i] + (1 - b1) * gi
                                let slow = b3 * m2[i] + (1 - b3) * gi
                                let vi = b2 * v[i] + (1 - b2) * gi * gi
                                m1[i] = fast
                                m2[i] = slow
                                v[i] = vi
                                let update = (fast / correction1 + a * slow) / ((vi / correction2).squareRoot() + eps)
                                theta[i] -= rate * (update + decay * theta[i])
                            }
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 3 * fastMoment.count * MemoryLayout<Float>.size }

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
