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

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.9999]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.9999, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float
    var firstMoment: [Float]
    var secondMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.positive("epsilon", default: 1e-6))
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        if context.step == 0 {
            // Optax's first update: ν = g², μ stays 0, so the parameters do not move.
            gradient.values.withUnsafeBufferPointer { g in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    for i in 0..<v.count { v[i] = g[i] * g[i] }
                }
            }
            return
        }
        let rate = Float(schedule.learningRate(at: context.step))
        let clip = Float(pow(Double(context.step), 0.25))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in 0..<theta.count {
                            let gi = g[i]
                            let normalised = min(max(gi / max(v[i].squareRoot(), eps), -clip), clip)
                            let mi = b1 * m[i] + (1 - b1) * normalised
                            m[i] = mi
                            v[i] = b2 * v[i] + (1 - b2) * gi * gi
                            theta[i] -= rate * mi
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 2 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("mu_dtype", is: .null, optaxDefault: .null)
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        try a.require("use_clipping", is: .bool(true), optaxDefault: .bool(true))
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.9999),
            "epsilon": try a.number("eps", default: 1e-6),
        ])
    }
}
