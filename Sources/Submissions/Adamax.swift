import Core
import Foundation
import NN

/// Adamax (Adam with the infinity norm) with linear warmup and cosine decay.
///
/// Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), section 7.1,
/// as optax's `adamax`: `m ← β₁m + (1−β₁)g`, `u ← max(β₂u, |g| + ε)`,
/// `θ ← θ − η_t·(m/(1−β₁ᵗ))/u`. The paper has `u ← max(β₂u, |g|)` and no ε; optax adds ε
/// inside the maximum so the division is safe, and so does this file.
public struct Adamax: Submission, OptaxConformant {
    public static let name = "adamax"
    public static let optaxReference = "optax.adamax"

    public static let searchSpace = SearchSpace.adamFamily()
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(learningRate: 2e-3)

    let schedule: WarmupCosineSchedule
    let epsilon: Float
    /// m and the infinity norm u (in the second buffer).
    var moments: MomentBuffers
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.positive("epsilon", default: 1e-8))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, correction1, eps) = (moments.decay, moments.decay.corrections(atStep: context.step).first, epsilon)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, u, g in
            m = decay.first(m, g)
            u = max(abs(g) + eps, decay.beta2 * u)
            theta -= rate * (m / correction1) / u
        }
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try OptaxMapping.adamHyperparameters(&a)
    }
}
