import Core
import Foundation
import NN

/// Sharpness-Aware Minimisation with an AdamW base, linear warmup and cosine decay.
///
/// Foret et al., "Sharpness-Aware Minimization for Efficiently Improving Generalization"
/// (ICLR 2021): on the step's batch, `g = ∇L(θ)`, `ε̂ = ρ·g/(‖g‖ + 1e-12)` (global
/// norm), `g_SAM = ∇L(θ + ε̂)` on the same batch, then AdamW's update (`AdamW`'s rule:
/// bias-corrected moments, ε outside the root, decoupled decay scaled by η_t) with
/// `g_SAM`. Two gradient evaluations per step, both through the oracle. The paper's base
/// is SGD with momentum; optax's `contrib.sam` makes the base optimizer a choice, and
/// AdamW here. There is no optax reference case: its tests check the two evaluations, the
/// perturbation and that ρ = 0 reproduces AdamW exactly.
public struct SAM: Submission {
    public static let name = "sam"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
        "rho": .range(min: 0.01, max: 0.2, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 1e-4, "rho": 0.05,
        "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, radius: Float
    var firstMoment: [Float]
    var secondMoment: [Float]
    var perturbed: ParameterSet
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        radius = Float(try hyperparameters.nonNegative("rho"))
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        perturbed = ParameterSet(layout: info.layout)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        var squaredNorm = 0.0
        gradient.values.withUnsafeBufferPointer { g in
            for x in g { squaredNorm += Double(x) * Double(x) }
        }
        let scale = radius / (Float(squaredNorm.squareRoot()) + 1e-12)
        parameters.values.withUnsafeBufferPointer { theta in
            gradient.values.withUnsafeBufferPointer { g in
                perturbed.values.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count { p[i] = theta[i] + scale * g[i] }
                }
            }
        }
        oracle.gradient(at: perturbed, into: &gradient)

        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        let (inverse1, inverse2) = (1 / correction1, 1 / correction2)
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
                            let update = AdamWKernel.direction(m: mi, v: vi, inverse1: inverse1, inverse2: inverse2, epsilon: eps)
                            theta[i] -= rate * (update + decay * theta[i])
                        }
                    }
                }
            }
        }
    }

    /// Moments plus the perturbed copy of the parameters.
    public var stateBytes: Int { 3 * firstMoment.count * MemoryLayout<Float>.size }
}
