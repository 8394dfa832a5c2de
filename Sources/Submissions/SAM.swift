import Core
import NN

/// Sharpness-Aware Minimisation with an AdamW base, linear warmup and cosine decay.
///
/// Foret et al., "Sharpness-Aware Minimization for Efficiently Improving Generalization"
/// (ICLR 2021): on the step's batch, `g = ∇L(θ)`, `ε̂ = ρ·g/(‖g‖ + 1e-12)` (global
/// norm), `g_SAM = ∇L(θ + ε̂)` on the same batch, then AdamW's update (`AdamW`'s rule:
/// bias-corrected moments, ε outside the root, decoupled decay scaled by η_t) with
/// `g_SAM`, through AdamW's own fused pass (`MomentBuffers.applyAdamW`). Two gradient evaluations per step, both through the oracle. The paper's base
/// is SGD with momentum; optax's `contrib.sam` makes the base optimizer a choice, and
/// AdamW here. There is no optax reference case: its tests check the two evaluations, the
/// perturbation and that ρ = 0 reproduces AdamW exactly.
public struct SAM: Submission {
    public static let name = "sam"

    public static let searchSpace = SearchSpace.adamFamily(adding: [
        "weight_decay": .weightDecayRange, "rho": .range(min: 0.01, max: 0.2, scaling: .log),
    ])
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(adding: ["weight_decay": 1e-4, "rho": 0.05])

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float, radius: Float
    var moments: MomentBuffers
    var perturbed: ParameterSet
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        radius = Float(try hyperparameters.nonNegative("rho"))
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

        let rate = Float(schedule.learningRate(at: context.step))
        moments.applyAdamW(
            to: &parameters.values, gradient: gradient.values, step: context.step, rate: rate, epsilon: epsilon,
            weightDecay: weightDecay)
    }

    /// Moments plus the perturbed copy of the parameters.
    public var stateBytes: Int { moments.stateBytes + perturbed.values.count * MemoryLayout<Float>.size }
}
