import Core
import Foundation
import NN

/// Yogi with linear warmup and cosine decay.
///
/// Zaheer et al., "Adaptive Methods for Nonconvex Optimization" (NeurIPS 2018), as optax's
/// `yogi`: `m ← β₁m + (1−β₁)g`, `v ← v − (1−β₂)·sign(v − g²)·g²` (additive, so `v` can
/// only change by (1−β₂)g² per step), `θ ← θ − η_t·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`,
/// both moments starting at 1e-6. The paper has no bias correction and starts `v` at
/// ε-sized values; optax applies Adam's corrections, and so does this file.
public struct Yogi: Submission, OptaxConformant {
    public static let name = "yogi"
    public static let optaxReference = "optax.yogi"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "epsilon": .range(min: 1e-6, max: 1e-3, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "epsilon": 1e-3, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float
    var firstMoment: [Float]
    var secondMoment: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-3))
        let initial = Float(try hyperparameters.nonNegative("initial_accumulator", default: 1e-6))
        firstMoment = [Float](repeating: initial, count: info.layout.count)
        secondMoment = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in 0..<theta.count {
                            let gi = g[i]
                            let square = gi * gi
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let difference = v[i] - square
                            let sign: Float = difference > 0 ? 1 : (difference < 0 ? -1 : 0)
                            let vi = v[i] - (1 - b2) * sign * square
                            m[i] = mi
                            v[i] = vi
                            theta[i] -= rate * (mi / correction1) / ((vi / correction2).squareRoot() + eps)
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
            "epsilon": try a.number("eps", default: 1e-3),
        ])
    }
}
