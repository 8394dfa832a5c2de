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

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 2e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float
    var firstMoment: [Float]
    var infinityMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.positive("epsilon", default: 1e-8))
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        infinityMoment = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), Double(context.step + 1)))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                infinityMoment.withUnsafeMutableBufferPointer { u in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in 0..<theta.count {
                            let gi = g[i]
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let ui = max(abs(gi) + eps, b2 * u[i])
                            m[i] = mi
                            u[i] = ui
                            theta[i] -= rate * (mi / correction1) / ui
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 2 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "epsilon": try a.number("eps", default: 1e-8),
        ])
    }
}
