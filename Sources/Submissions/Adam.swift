import Core
import Foundation
import NN

/// Adam with linear warmup and cosine decay, and an optional L2 term coupled to the
/// gradient (the original, non-decoupled weight decay; see `AdamW` for the decoupled one).
///
/// Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), as optax's
/// `adam`: with `d = g + λθ`, `m ← β₁m + (1−β₁)d`, `v ← β₂v + (1−β₂)d²`,
/// `θ ← θ − η_t·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`. The paper's Algorithm 1 is the same;
/// its "efficient" variant folds the bias corrections into η and so moves ε, which optax
/// (and this file) do not.
public struct Adam: Submission, OptaxConformant {
    public static let name = "adam"
    public static let optaxReference = "optax.adam"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "l2": .range(min: 1e-7, max: 1e-3, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "l2": 0, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, l2: Float
    var firstMoment: [Float]
    var secondMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        l2 = Float(try hyperparameters.nonNegative("l2", default: 0))
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
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, l2)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in 0..<theta.count {
                            let d = g[i] + decay * theta[i]
                            let mi = b1 * m[i] + (1 - b1) * d
                            let vi = b2 * v[i] + (1 - b2) * d * d
                            m[i] = mi
                            v[i] = vi
                            theta[i] -= rate * (mi / correction1) / ((vi / correction2).squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 2 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try OptaxMapping.requireAdamDefaults(&a)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "epsilon": try a.number("eps", default: 1e-8),
            "l2": 0,
        ])
    }
}
