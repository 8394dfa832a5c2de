import Core
import Foundation
import NN

/// AdaBelief with linear warmup and cosine decay.
///
/// Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed
/// Gradients" (NeurIPS 2020), as optax's `adabelief`: `m ← β₁m + (1−β₁)g`,
/// `s ← β₂s + (1−β₂)(g − m)² + ε_root`, `θ ← θ − η_t·(m/(1−β₁ᵗ)) / (√(s/(1−β₂ᵗ)) + ε)`.
/// As in the paper's Algorithm 2, ε_root is added to `s` itself (so it accumulates);
/// optax's defaults ε = ε_root = 1e-16 follow the paper's released code.
public struct AdaBelief: Submission, OptaxConformant {
    public static let name = "adabelief"
    public static let optaxReference = "optax.adabelief"

    public static let searchSpace = SearchSpace.adamFamily()
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(learningRate: 1e-3)

    let schedule: WarmupCosineSchedule
    let epsilon: Float, epsilonRoot: Float
    /// m and the belief s (in the second buffer).
    var moments: MomentBuffers
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-16))
        epsilonRoot = Float(try hyperparameters.nonNegative("epsilon_root", default: 1e-16))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    /// Adam's step with v replaced by the moving average of (g − m)² + ε_root.
    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, corrections, eps, epsRoot) = (moments.decay, moments.decay.corrections(atStep: context.step), epsilon, epsilonRoot)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, s, g in
            m = decay.first(m, g)
            s = decay.second(s, g - m) + epsRoot
            theta -= corrections.step(rate: rate, m: m, v: s, epsilon: eps)
        }
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        return try OptaxMapping.adamHyperparameters(
            &a, epsDefault: 1e-16, adding: ["epsilon_root": try a.number("eps_root", default: 1e-16)])
    }
}
