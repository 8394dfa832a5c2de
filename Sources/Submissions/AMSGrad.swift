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

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float
    var firstMoment: [Float]
    var secondMoment: [Float]
    var maximumSecondMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        maximumSecondMoment = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    maximumSecondMoment.withUnsafeMutableBufferPointer { vMax in
                        gradient.values.withUnsafeBufferPointer { g in
                            for i in 0..<theta.count {
                                let gi = g[i]
                                let mi = b1 * m[i] + (1 - b1) * gi
                                let vi = b2 * v[i] + (1 - b2) * gi * gi
                                m[i] = mi
                                v[i] = vi
                                let peak = max(vMax[i], vi / correction2)
                                vMax[i] = peak
                                theta[i] -= rate * (mi / correction1) / (peak.squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 3 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("eps_root", is: .number(0), optaxDefault: .number(0))
        try a.require("mu_dtype", is: .null, optaxDefault: .null)
        try a.require("bias_correction_mu", is: .bool(true), optaxDefault: .bool(true))
        try a.require("bias_correction_nu", is: .bool(true), optaxDefault: .bool(true))
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "epsilon": try a.number("eps", default: 1e-8),
        ])
    }
}
