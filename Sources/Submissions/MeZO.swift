import Core
import Foundation
import NN
import Tensor

/// MeZO: zeroth-order SGD (or ZO-Adam) from two loss values per direction, with the
/// Gaussian direction regenerated from its seed instead of stored.
///
/// Malladi et al., "Fine-Tuning Language Models with Just Forward Passes" (NeurIPS 2023),
/// as benchmarked in Zhang et al., "Revisiting Zeroth-Order Optimization for
/// Memory-Efficient LLM Fine-Tuning: A Benchmark" (ICML 2024). Per step, for each of `q`
/// directions `z_k ~ N(0, I)` (seeded from the oracle's `randomSeed`, step and k):
/// `θ ← θ + εz`, `ℓ₊ = f_B(θ)`, `θ ← θ − 2εz`, `ℓ₋ = f_B(θ)`, `θ ← θ + εz` (restored up
/// to rounding), `p_k = (ℓ₊ − ℓ₋)/2ε`, and the estimate is `ĝ = (1/q) Σ_k p_k·z_k`, whose
/// expectation is the gradient of the ε-smoothed loss (exactly ∇f_B for a quadratic).
/// ZO-SGD (`adam` = 0): `θ ← θ − η_t·(ĝ + λθ)`, applied direction by direction while
/// regenerating each `z_k`. ZO-Adam (`adam` = 1): AdamW's update (bias-corrected, ε_A
/// outside the root, decoupled decay) with ĝ as the gradient. The rate is constant by
/// default (`warmup_fraction` 0, `min_lr_factor` 1), as in MeZO; the paper's rates
/// (1e-7–1e-6) are for billion-parameter models, so the default here, 1e-3, is scaled to
/// the variance of the estimate (`E‖ĝ‖² ≈ (d + 2)‖∇f‖²`). Oracle cost: `2q` function
/// evaluations per step, no gradients.
public struct MeZO: Submission {
    public static let name = "mezo"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-5, max: 1e-2, scaling: .log),
        "perturbation_scale": .feasiblePoints([1e-3]),
        "directions": .feasiblePoints([1]),
        "adam": .feasiblePoints([0]),
        "warmup_fraction": .feasiblePoints([0]),
        "min_lr_factor": .feasiblePoints([1]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-3, "perturbation_scale": 1e-3, "directions": 1, "adam": 0, "weight_decay": 0,
        "warmup_fraction": 0, "min_lr_factor": 1,
    ])

    let schedule: WarmupCosineSchedule
    let perturbationScale: Float, weightDecay: Float
    let directions: Int
    let useAdam: Bool
    let beta1: Float, beta2: Float, adamEpsilon: Float
    /// ZO-Adam's moments (empty for ZO-SGD).
    var firstMoment: [Float], secondMoment: [Float]
    /// ZO-Adam's scratch for ĝ (empty for ZO-SGD; not state).
    var estimate: [Float]
    /// `p_k` of the current step (scratch).
    var projected: [Float]
    var seeds: [UInt64]

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let h = hyperparameters.merging(Hyperparameters([
            "warmup_fraction": hyperparameters.value("warmup_fraction", default: 0),
            "min_lr_factor": hyperparameters.value("min_lr_factor", default: 1),
        ]))
        schedule = try WarmupCosineSchedule(hyperparameters: h, budget: budget)
        perturbationScale = Float(try hyperparameters.positive("perturbation_scale", default: 1e-3))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        let q = hyperparameters.value("directions", default: 1)
        guard q >= 1, q <= 1024, q == q.rounded() else {
            throw HyperparameterError.invalid(name: "directions", value: q, expected: "an integer in 1...1024")
        }
        directions = Int(q)
        useAdam = try hyperparameters.flag("adam", default: false)
        beta1 = Float(try hyperparameters.decayRate("beta1", default: 0.9))
        beta2 = Float(try hyperparameters.decayRate("beta2", default: 0.999))
        adamEpsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        let n = useAdam ? info.layout.count : 0
        firstMoment = [Float](repeating: 0, count: n)
        secondMoment = firstMoment
        estimate = firstMoment
        projected = [Float](repeating: 0, count: directions)
        seeds = [UInt64](repeating: 0, count: directions)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let epsilon = perturbationScale
        var generator = oracle.probeGenerator(Self.name, step: context.step)
        for k in 0..<directions {
            let direction = GaussianDirection(seed: generator.next())
            seeds[k] = direction.seed
            direction.add(epsilon, to: &parameters.values)
            let plus = oracle.loss(at: parameters)
            direction.add(-2 * epsilon, to: &parameters.values)
            let minus = oracle.loss(at: parameters)
            direction.add(epsilon, to: &parameters.values)
            projected[k] = Float((Double(plus) - Double(minus)) / (2 * Double(epsilon)))
        }
        let rate = Float(schedule.learningRate(at: context.step))
        if useAdam {
            adamStep(&parameters, rate: rate, step: context.step)
        } else {
            sgdStep(&parameters, rate: rate)
        }
    }

    private func sgdStep(_ parameters: inout ParameterSet, rate: Float) {
        let share = 1 / Float(directions)
        let decay = weightDecay
        if decay > 0 {
            parameters.values.withUnsafeMutableBufferPointer { theta in
                for i in 0..<theta.count { theta[i] -= rate * decay * theta[i] }
            }
        }
        for k in 0..<directions where projected[k].isFinite {
            let scale = -rate * share * projected[k]
            GaussianDirection(seed: seeds[k]).add(scale, to: &parameters.values)
        }
    }

    private mutating func adamStep(_ parameters: inout ParameterSet, rate: Float, step: Int) {
        let share = 1 / Float(directions)
        for i in estimate.indices { estimate[i] = 0 }
        for k in 0..<directions {
            GaussianDirection(seed: seeds[k]).add(share * projected[k], to: &estimate)
        }
        let t = Double(step + 1)
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        let (b1, b2, eps, decay) = (beta1, beta2, adamEpsilon, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    estimate.withUnsafeBufferPointer { g in
                        for i in 0..<theta.count {
                            let gi = g[i]
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let vi = b2 * v[i] + (1 - b2) * gi * gi
                            m[i] = mi
                            v[i] = vi
                            theta[i] -= rate * ((mi / correction1) / ((vi / correction2).squareRoot() + eps) + decay * theta[i])
                        }
                    }
                }
            }
        }
    }

    /// ZO-SGD holds nothing but the step's seeds; ZO-Adam holds its two moments.
    public var stateBytes: Int { (firstMoment.count + secondMoment.count) * MemoryLayout<Float>.size }
}
