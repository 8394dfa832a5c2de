import Core
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

    public static let searchSpace = SearchSpace.adamFamily(beta2: 0.99, adding: [
        "one_minus_beta1": .feasiblePoints([0.05]), "gamma": .range(min: 0.005, max: 0.1, scaling: .log),
        "weight_decay": .weightDecayRange, "approximate": .feasiblePoints([1]),
    ])
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(
        beta2: 0.99, adding: ["one_minus_beta1": 0.05, "gamma": 0.025, "weight_decay": 0.1, "approximate": 1])

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float, gamma: Float
    /// The rank-<2 tensors' β's (`beta1_1d`, `beta2_1d`) and decay.
    let decayOneD: MomentDecay, weightDecayOneD: Float
    let approximate: Bool
    /// Views that take MARS (rank ≥ 2); the others take AdamW.
    let corrected: [Bool]
    /// m and v of every tensor (the rank-<2 ones averaged with `decayOneD`).
    var moments: MomentBuffers
    /// Approximate: the previous step's gradient (state). Exact: scratch for
    /// ∇f(θ_{t−1}, ξ_t), rewritten every step like `gradient` (not state).
    var previousGradient: ParameterSet
    /// Exact variant only: θ_{t−1}.
    var previousParameters: ParameterSet?
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        gamma = Float(try hyperparameters.nonNegative("gamma", default: 0.025))
        decayOneD = MomentDecay(
            beta1: Float(try hyperparameters.decayRate("beta1_1d", default: 0.9)),
            beta2: Float(try hyperparameters.decayRate("beta2_1d", default: 0.95)))
        weightDecayOneD = Float(try hyperparameters.nonNegative("weight_decay_1d", default: 0.1))
        approximate = try hyperparameters.flag("approximate", default: true)
        corrected = info.layout.views.map { $0.shape.count >= 2 }
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
        let rate = Float(schedule.learningRate(at: context.step))
        for (index, view) in parameters.views.enumerated() {
            if corrected[index] {
                marsStep(view, &parameters, rate: rate, step: context.step)
            } else {
                adamStep(view, &parameters, rate: rate, step: context.step)
            }
        }
    }

    private mutating func marsStep(_ view: ParameterView, _ parameters: inout ParameterSet, rate: Float, step: Int) {
        let (decay, c, eps, lambda) = (moments.decay, moments.decay.corrections(atStep: step), epsilon, weightDecay)
        let scale = step == 0 ? 0 : gamma * decay.beta1 / (1 - decay.beta1)
        let approximate = approximate
        parameters.values.withUnsafeMutableBufferPointer { theta in
            moments.first.withUnsafeMutableBufferPointer { m in
                moments.second.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        previousGradient.values.withUnsafeMutableBufferPointer { previous in
                            var squares = 0.0
                            for i in view.range {
                                let corrected = g[i] + scale * (g[i] - previous[i])
                                squares += Double(corrected) * Double(corrected)
                            }
                            let norm = Float(squares.squareRoot())
                            let clip: Float = norm > 1 ? 1 / norm : 1
                            for i in view.range {
                                let gi = g[i]
                                let corrected = (gi + scale * (gi - previous[i])) * clip
                                if approximate { previous[i] = gi }
                                let (mi, vi) = (decay.first(m[i], corrected), decay.second(v[i], corrected))
                                (m[i], v[i]) = (mi, vi)
                                theta[i] -= rate * (c.direction(m: mi, v: vi, epsilon: eps) + lambda * theta[i])
                            }
                        }
                    }
                }
            }
        }
    }

    /// AdamW with the 1-D β's and decay.
    private mutating func adamStep(_ view: ParameterView, _ parameters: inout ParameterSet, rate: Float, step: Int) {
        let (decay, c, eps, lambda) = (decayOneD, decayOneD.corrections(atStep: step), epsilon, weightDecayOneD)
        FusedUpdate.apply(
            &parameters.values, &moments.first, &moments.second, gradient: gradient.values, range: view.range,
            stateOffset: view.offset
        ) { theta, m, v, g in
            m = decay.first(m, g)
            v = decay.second(v, g)
            theta -= rate * (c.direction(m: m, v: v, epsilon: eps) + lambda * theta)
        }
    }

    /// Two moments, plus the previous gradient (approximate) or parameters (exact).
    public var stateBytes: Int {
        let extra = approximate ? previousGradient.values.count : (previousParameters?.values.count ?? 0)
        return moments.stateBytes + extra * MemoryLayout<Float>.size
    }
}
