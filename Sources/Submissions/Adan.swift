import Core
import Foundation
import NN

/// Adan (adaptive Nesterov momentum) with linear warmup and cosine decay.
///
/// Xie et al., "Adan: Adaptive Nesterov Momentum Algorithm for Faster Optimizing Deep
/// Models" (TPAMI 2024), Algorithm 1, as the authors' code (sail-sg/Adan) runs it: with
/// `Δ = g − g_prev` (0 at the first step), `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)Δ`,
/// `n ← β₃n + (1−β₃)(g + β₂Δ)²`, bias-corrected `m̂, v̂, n̂`,
/// `θ ← θ − η_t·((m̂ + β₂v̂)/(√(n̂ + ε_root) + ε) + λθ)`, `ε_root = 0` by default as in the
/// authors' code (optax adds 1e-8 inside the root). The β's here are decay rates
/// (β₂ = 0.92); the paper writes them as 1 − these (its β₂ = 0.08, weighting Δ by
/// 1 − 0.08), so the gradient difference is weighted by 0.92 in both conventions.
///
/// Where the paper and the authors' code differ the code is followed, because the paper's
/// experiments ran it: the code bias-corrects the three moments (the paper's Algorithm 1
/// does not) and applies the decay additively (its `no_prox = True`,
/// `θ ← θ(1 − ηλ) − η·u`) rather than proximally, `θ ← (θ − η·u)/(1 + λη)`. Checked against
/// `pytorch_optimizer.Adan` (a port of the authors' code), `reference/adan.json`. optax's
/// `adan` weights Δ by 1 − β₂ instead, so its case is retired (see `ConformanceRunner`).
public struct Adan: Submission {
    public static let name = "adan"

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
        epsilonRoot = Float(try hyperparameters.nonNegative("epsilon_root", default: 0))
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
                                    let corrected = gi + b2 * difference
                                    let ni = b3 * n[i] + (1 - b3) * corrected * corrected
                                    m[i] = mi
                                    v[i] = vi
                                    n[i] = ni
                                    let numerator = mi / correction1 + b2 * (vi / correction2)
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
}
