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

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "warmup_fraction": .feasiblePoints([0.0]),
    ])

    /// RAdam's rectification replaces warmup, so the default has none.
    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "warmup_fraction": 0,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, threshold: Double
    var firstMoment: [Float]
    var secondMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        threshold = try hyperparameters.nonNegative("threshold", default: 5)
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let beta2Power = pow(Double(beta2), t)
        let correction2 = Float(1 - beta2Power)
        let rhoInfinity = 2 / (1 - Double(beta2)) - 1
        let rho = rhoInfinity - 2 * t * beta2Power / (1 - beta2Power)
        let rectified = rho >= threshold
        let r = rectified
            ? Float(((rho - 4) * (rho - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho)).squareRoot()) : 0
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in 0..<theta.count {
                            let gi = g[i]
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let vi = b2 * v[i] + (1 - b2) * gi * gi
                            m[i] = mi
                            v[i] = vi
                            let mHat = mi / correction1
                            let direction = rectified ? r * mHat / ((vi / correction2).squareRoot() + eps) : mHat
                            theta[i] -= rate * direction
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 2 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("eps_root", is: .number(0), optaxDefault: .number(0))
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "epsilon": try a.number("eps", default: 1e-8),
            "threshold": try a.number("threshold", default: 5),
        ])
    }
}
