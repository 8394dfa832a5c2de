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

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, epsilonRoot: Float
    var firstMoment: [Float]
    var belief: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-16))
        epsilonRoot = Float(try hyperparameters.nonNegative("epsilon_root", default: 1e-16))
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        belief = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        let (b1, b2, eps, epsRoot) = (beta1, beta2, epsilon, epsilonRoot)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                belief.withUnsafeMutableBufferPointer { s in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in 0..<theta.count {
                            let gi = g[i]
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let surprise = gi - mi
                            let si = b2 * s[i] + (1 - b2) * surprise * surprise + epsRoot
                            m[i] = mi
                            s[i] = si
                            theta[i] -= rate * (mi / correction1) / ((si / correction2).squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 2 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "epsilon": try a.number("eps", default: 1e-16),
            "epsilon_root": try a.number("eps_root", default: 1e-16),
        ])
    }
}
