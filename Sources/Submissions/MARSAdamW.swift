import Core
import Foundation
import NN

/// MARS-AdamW: scaled stochastic recursive momentum, clipped, preconditioned as AdamW;
/// linear warmup and cosine decay.
///
/// Yuan et al., "MARS: Unleashing the Power of Variance Reduction for Training Large
/// Models" (2024), Algorithm 2 with the AdamW instantiation, on every tensor of rank ≥ 2:
/// `c = g_t + γ·β₁/(1−β₁)·(g_t − g̃)`, `c̃ = c/‖c‖` when the tensor's `‖c‖₂ > 1` (else c),
/// `m ← β₁m + (1−β₁)c̃`, `v ← β₂v + (1−β₂)c̃²`,
/// `θ ← θ − η_t·((m/(1−β₁ᵗ))/(√(v/(1−β₂ᵗ)) + ε) + λθ)`.
/// Exact variant (`approximate` = 0): g̃ = ∇f(θ_{t−1}, ξ_t), the gradient at the previous
/// parameters on the current batch (a second oracle call per step; the previous parameters
/// are state). Approximate variant (`approximate` = 1, the reference code's default, one
/// oracle call per step): g̃ = ∇f(θ_{t−1}, ξ_{t−1}), the previous step's gradient (state).
/// On the first step the correction is zero (the paper's θ₀ = θ₁; the reference code
/// instead takes g̃ = 0 and lets the clip absorb it). Tensors of rank < 2 take plain
/// AdamW with `beta1_1d`, `beta2_1d`, `weight_decay_1d` at the same scheduled rate, as the
/// reference code does by default (`optimize_1d = False`). Defaults: the reference
/// code's γ = 0.025, β = (0.95, 0.99), ε = 1e-8, 1-D β = (0.9, 0.95) and decay 0.1, with
/// the paper's GPT-2 learning rate 3e-3 and weight decay 0.1.
public struct MARSAdamW: Submission {
    public static let name = "mars_adamw"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.05]),
        "beta2": .feasiblePoints([0.99]),
        "gamma": .range(min: 0.005, max: 0.1, scaling: .log),
        "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
        "approximate": .feasiblePoints([1]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.05, "beta2": 0.99, "gamma": 0.025, "weight_decay": 0.1,
        "approximate": 1, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, gamma: Float
    let beta1OneD: Float, beta2OneD: Float, weightDecayOneD: Float
    let approximate: Bool
    /// Views that take MARS (rank ≥ 2); the others take AdamW.
    let corrected: [Bool]
    var firstMoment: [Float]
    var secondMoment: [Float]
    /// Approximate: the previous step's gradient (state). Exact: scratch for
    /// ∇f(θ_{t−1}, ξ_t), rewritten every step like `gradient` (not state).
    var previousGradient: ParameterSet
    /// Exact variant only: θ_{t−1}.
    var previousParameters: ParameterSet?
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        gamma = Float(try hyperparameters.nonNegative("gamma", default: 0.025))
        beta1OneD = Float(try hyperparameters.decayRate("beta1_1d", default: 0.9))
        beta2OneD = Float(try hyperparameters.decayRate("beta2_1d", default: 0.95))
        weightDecayOneD = Float(try hyperparameters.nonNegative("weight_decay_1d", default: 0.1))
        approximate = try hyperparameters.flag("approximate", default: true)
        corrected = info.layout.views.map { $0.shape.count >= 2 }
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        gradient = ParameterSet(layout: info.layout)
        previousGradient = gradient
        previousParameters = approximate ? nil : gradient
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let first = context.step == 0
        if !first, let previousParameters {
            // Gradient at θ_{t−1} on this batch first, so the logged loss is the one at θ_t.
            oracle.gradient(at: previousParameters, into: &previousGradient)
        }
        oracle.gradient(at: parameters, into: &gradient)
        if !approximate {
            previousParameters?.values.withUnsafeMutableBufferPointer { old in
                parameters.values.withUnsafeBufferPointer { current in
                    for i in 0..<old.count { old[i] = current[i] }
                }
            }
        }
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        for (index, view) in parameters.views.enumerated() {
            if corrected[index] {
                marsStep(view, &parameters, rate: rate, t: t, first: first)
            } else {
                adamStep(view, &parameters, rate: rate, t: t)
            }
        }
    }

    private mutating func marsStep(_ view: ParameterView, _ parameters: inout ParameterSet, rate: Float, t: Double, first: Bool) {
        let scale = first ? 0 : gamma * beta1 / (1 - beta1)
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        let correction1 = Float(1 - pow(Double(b1), t))
        let correction2 = Float(1 - pow(Double(b2), t))
        let approximate = approximate
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        previousGradient.values.withUnsafeMutableBufferPointer { previous in
                            var squares = 0.0
                            for i in view.range {
                                let c = g[i] + scale * (g[i] - previous[i])
                                squares += Double(c) * Double(c)
                            }
                            let norm = Float(squares.squareRoot())
                            let clip: Float = norm > 1 ? 1 / norm : 1
                            for i in view.range {
                                let gi = g[i]
                                let c = (gi + scale * (gi - previous[i])) * clip
                                if approximate { previous[i] = gi }
                                let mi = b1 * m[i] + (1 - b1) * c
                                let vi = b2 * v[i] + (1 - b2) * c * c
                                m[i] = mi
                                v[i] = vi
                                let update = (mi / correction1) / ((vi / correction2).squareRoot() + eps)
                                theta[i] -= rate * (update + decay * theta[i])
                            }
                        }
                    }
                }
            }
        }
    }

    private mutating func adamStep(_ view: ParameterView, _ parameters: inout ParameterSet, rate: Float, t: Double) {
        let (b1, b2, eps, decay) = (beta1OneD, beta2OneD, epsilon, weightDecayOneD)
        let correction1 = Float(1 - pow(Double(b1), t))
        let correction2 = Float(1 - pow(Double(b2), t))
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in view.range {
                            let gi = g[i]
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let vi = b2 * v[i] + (1 - b2) * gi * gi
                            m[i] = mi
                            v[i] = vi
                            let update = (mi / correction1) / ((vi / correction2).squareRoot() + eps)
                            theta[i] -= rate * (update + decay * theta[i])
                        }
                    }
                }
            }
        }
    }

    /// Two moments, plus the previous gradient (approximate) or parameters (exact).
    public var stateBytes: Int {
        let extra = approximate ? previousGradient.values.count : (previousParameters?.values.count ?? 0)
        return (firstMoment.count + secondMoment.count + extra) * MemoryLayout<Float>.size
    }
}
