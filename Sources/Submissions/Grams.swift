import Core
import Foundation
import NN

/// Grams: Adam's update magnitude with the current gradient's sign; linear warmup and
/// cosine decay.
///
/// Cao et al., "Grams: Gradient Descent with Adaptive Momentum Scaling" (2024), Algorithm 1:
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `u = (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`,
/// `θ ← θ − η_t·(sign(g)·|u| + λθ)` with sign(0) = 0. The paper applies the decoupled decay
/// as `θ ← (1 − η_tλ)θ` before the step; folding it into the same update (as `AdamW`
/// does) is the same map. Defaults follow the paper's Adam settings (β₁ = 0.9,
/// β₂ = 0.999, ε = 1e-8).
public struct Grams: Submission {
    public static let name = "grams"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "warmup_fraction": 0.05,
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
                        for i in 0..<theta.count {
                            let gi = g[i]
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let vi = b2 * v[i] + (1 - b2) * gi * gi
                            m[i] = mi
                            v[i] = vi
                            let magnitude = abs((mi / correction1) / ((vi / correction2).squareRoot() + eps))
                            let update: Float = gi > 0 ? magnitude : (gi < 0 ? -magnitude : 0)
                            theta[i] -= rate * (update + decay * theta[i])
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { (firstMoment.count + secondMoment.count) * MemoryLayout<Float>.size }
}
