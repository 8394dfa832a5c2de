import Core
import Foundation
import NN

/// Schedule-Free AdamW: no decay schedule, the evaluated point is a weighted average.
///
/// Defazio et al., "The Road Less Scheduled" (NeurIPS 2024), as optax's
/// `contrib.schedule_free_adamw`. The parameters the model trains at are
/// `y = β₁x + (1−β₁)z`; each step, with `v ← β₂v + (1−β₂)g²` (bias-corrected),
/// `z ← z − η_t·(g/(√v̂ + ε) + λy)`, weight `w_t = (max_{s≤t} η_s)²`,
/// `c_t = w_t/Σ_{s≤t} w_s`, `x ← (1−c_t)x + c_t z`, and `y` is rebuilt from x and z.
/// Only `z` and `v` are stored: `x = (y − (1−β₁)z)/β₁`, as optax does, and
/// `parametersForEvaluation` returns that `x` (optax's `schedule_free_eval_params`).
/// The rate has linear warmup and then stays constant (`min_lr_factor` defaults to 1 here):
/// the averaging replaces the decay. The paper uses the same rule with the rate warmup
/// applied to the weights; optax and this file weight by the running maximum rate.
public struct ScheduleFreeAdamW: Submission, OptaxConformant {
    public static let name = "schedule_free_adamw"
    public static let optaxReference = "optax.contrib.schedule_free_adamw"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.02, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 2.5e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 1e-4, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    var secondMoment: [Float]
    /// The base (SGD-like) iterate z.
    var anchor: [Float]
    var anchorInitialised = false
    var maximumRate: Float = 0
    var weightSum: Float = 0
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        var settings = hyperparameters
        if settings["min_lr_factor"] == nil { settings["min_lr_factor"] = 1 }
        schedule = try WarmupCosineSchedule(hyperparameters: settings, budget: budget)
        let b1 = try hyperparameters.decayRate(oneMinus: "one_minus_beta1")
        guard b1 > 0 else { throw HyperparameterError.invalid(name: "one_minus_beta1", value: 1, expected: "a number in (0, 1)") }
        beta1 = Float(b1)
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        secondMoment = [Float](repeating: 0, count: info.layout.count)
        anchor = secondMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        if !anchorInitialised {
            anchor = parameters.values
            anchorInitialised = true
        }
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        maximumRate = max(maximumRate, rate)
        let weight = maximumRate * maximumRate
        weightSum += weight
        let c = weightSum > 0 ? weight / weightSum : 0
        let correction2 = Float(1 - pow(Double(beta2), Double(context.step + 1)))
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { y in
            anchor.withUnsafeMutableBufferPointer { z in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in 0..<y.count {
                            let gi = g[i]
                            let vi = b2 * v[i] + (1 - b2) * gi * gi
                            v[i] = vi
                            let yi = y[i]
                            let oldZ = z[i]
                            let newZ = oldZ - rate * (gi / ((vi / correction2).squareRoot() + eps) + decay * yi)
                            z[i] = newZ
                            let previousX = (yi - (1 - b1) * oldZ) / b1
                            let x = (1 - c) * previousX + c * newZ
                            y[i] = b1 * x + (1 - b1) * newZ
                        }
                    }
                }
            }
        }
    }

    /// The averaged iterate `x = (y − (1−β₁)z)/β₁`.
    public func parametersForEvaluation(_ parameters: ParameterSet) -> ParameterSet {
        guard anchorInitialised else { return parameters }
        var x = parameters
        let b1 = beta1
        x.values.withUnsafeMutableBufferPointer { y in
            anchor.withUnsafeBufferPointer { z in
                for i in 0..<y.count { y[i] = (y[i] - (1 - b1) * z[i]) / b1 }
            }
        }
        return x
    }

    public var stateBytes: Int { 2 * secondMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("warmup_steps", is: .null, optaxDefault: .null)
        try a.require("weight_lr_power", is: .number(2), optaxDefault: .number(2))
        try a.require("state_dtype", is: .null, optaxDefault: .null)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "epsilon": try a.number("eps", default: 1e-8),
            "weight_decay": try a.number("weight_decay", default: 0),
        ])
    }
}
