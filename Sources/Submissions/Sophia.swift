import Core
import Foundation
import NN
import Tensor

/// Sophia-H: momentum preconditioned by an exponential average of Hutchinson Hessian
/// diagonals, element-wise clipped; linear warmup and cosine decay.
///
/// Liu et al., "Sophia: A Scalable Stochastic Second-order Optimizer for Language Model
/// Pre-training" (ICLR 2024), Algorithm 3 with the Hutchinson estimator, at the authors'
/// code's timing. Every `hessian_interval` steps k (10), on the step's batch: `ĥ = z ⊙ Hz`
/// (one HVP; z is Rademacher where the paper draws a Gaussian u — both are unbiased,
/// Rademacher with the smaller variance), `h ← β₂h + (1−β₂)ĥ`. Every step:
/// `m ← β₁m + (1−β₁)g`, `θ ← θ − η_tλθ`, `θ ← θ − η_t·clip(m / max(γh, ε), −1, 1)`, with
/// β₁ = 0.96, β₂ = 0.99, γ = 0.01 (the paper's value for Sophia-H), ε = 1e-12, λ = 0.2. No
/// bias correction, as in the paper; a zero or negative curvature estimate makes the
/// denominator ε, so the coordinate moves by ±η_t (sign momentum). Oracle cost: one
/// gradient per step, one HVP every k steps.
///
/// When h is refreshed: the paper's Algorithm 3 estimates at t mod k = 0 before the update
/// (so from step 0 on); the authors' training script (Liuhong99/Sophia), which ran the
/// paper's experiments, estimates after the update of steps k−1, 2k−1, … at the updated
/// parameters, so the first k steps are sign steps. The script is followed by default
/// (`curvature_after_step = 1`, checked by `reference/sophia_script_timing.json`);
/// `curvature_after_step = 0` gives the paper's timing (`reference/sophia.json`, a declared
/// deviation of the default, which matches it with the flag).
public struct Sophia: Submission {
    public static let name = "sophia"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-5, max: 1e-2, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.04]),
        "beta2": .feasiblePoints([0.99]),
        "gamma": .range(min: 1e-3, max: 0.1, scaling: .log),
        "weight_decay": .range(min: 1e-3, max: 0.5, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 6e-4, "one_minus_beta1": 0.04, "beta2": 0.99, "gamma": 0.01, "epsilon": 1e-12,
        "weight_decay": 0.2, "hessian_interval": 10, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, gamma: Float, epsilon: Float, weightDecay: Float
    let hessianInterval: Int
    /// When the curvature is estimated: after the update of steps k−1, 2k−1, … at the
    /// updated parameters (the authors' training script), or before the update of steps
    /// 0, k, 2k, … (the paper's Algorithm 3).
    let curvatureAfterStep: Bool
    var momentum: [Float]
    var curvature: [Float]
    var gradient: ParameterSet
    /// Scratch for ĥ.
    var estimate: [Float]
    var hutchinson: HutchinsonDiagonal

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1", default: 0.04))
        beta2 = Float(try hyperparameters.decayRate("beta2", default: 0.99))
        gamma = Float(try hyperparameters.positive("gamma", default: 0.01))
        epsilon = Float(try hyperparameters.positive("epsilon", default: 1e-12))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0.2))
        hessianInterval = try AdaHessian.count("hessian_interval", hyperparameters, default: 10)
        curvatureAfterStep = try hyperparameters.flag("curvature_after_step", default: true)
        momentum = [Float](repeating: 0, count: info.layout.count)
        curvature = momentum
        estimate = momentum
        gradient = ParameterSet(layout: info.layout)
        hutchinson = HutchinsonDiagonal(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        if !curvatureAfterStep && context.step % hessianInterval == 0 {
            updateCurvature(at: parameters, oracle: oracle, step: context.step)
        }
        let rate = Float(schedule.learningRate(at: context.step))
        let (b1, g, eps) = (beta1, gamma, epsilon)
        let shrink = 1 - rate * weightDecay
        parameters.values.withUnsafeMutableBufferPointer { theta in
            momentum.withUnsafeMutableBufferPointer { m in
                curvature.withUnsafeBufferPointer { h in
                    gradient.values.withUnsafeBufferPointer { grad in
                        for i in 0..<theta.count {
                            let mi = b1 * m[i] + (1 - b1) * grad[i]
                            m[i] = mi
                            let ratio = min(1, max(-1, mi / max(g * h[i], eps)))
                            theta[i] = theta[i] * shrink - rate * ratio
                        }
                    }
                }
            }
        }
        if curvatureAfterStep && context.step % hessianInterval == hessianInterval - 1 {
            updateCurvature(at: parameters, oracle: oracle, step: context.step)
        }
    }

    /// `h ← β₂h + (1−β₂)ĥ` with one Hutchinson estimate ĥ = z ⊙ Hz on the step's batch.
    private mutating func updateCurvature(at parameters: ParameterSet, oracle: Oracle, step: Int) {
        var generator = oracle.probeGenerator(Self.name, step: step)
        hutchinson.estimate(at: parameters, oracle: oracle, generator: &generator, samples: 1, into: &estimate)
        let b2 = beta2
        curvature.withUnsafeMutableBufferPointer { h in
            estimate.withUnsafeBufferPointer { e in
                for i in 0..<h.count { h[i] = b2 * h[i] + (1 - b2) * e[i] }
            }
        }
    }

    public var stateBytes: Int { (momentum.count + curvature.count) * MemoryLayout<Float>.size }
}

extension Sophia: ConformanceDeviating {
    /// Against sophia-opt 0.2.2 driven at the paper's Algorithm 3 timing.
    public static let conformanceDeviations = [
        ConformanceDeviation(
            caseName: "sophia", reference: "sophia_opt.SophiaG",
            reason: "the case refreshes the curvature at t mod k = 0 before the update, as the paper's Algorithm 3; "
                + "the submission follows, by default, the authors' training script, which ran the paper's "
                + "experiments: after the update of steps k−1, 2k−1, … (sophia_script_timing.json, which passes). "
                + "With curvature_after_step = 0 the submission takes the paper's timing and matches this case "
                + "to 1.6e-7.",
            measuredError: 1.58e-2),
    ]
}
