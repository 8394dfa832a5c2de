import Core
import NN

/// Lion (EvoLved Sign Momentum) with linear warmup and cosine decay.
///
/// Chen et al., "Symbolic Discovery of Optimization Algorithms" (NeurIPS 2023), as optax's
/// `lion`: `c = β₁m + (1−β₁)g`, `θ ← θ − η_t·(sign(c) + λθ)`, `m ← β₂m + (1−β₂)g`.
/// Same as the paper's Program 1, decoupled decay scaled by η_t included; sign(0) = 0.
///
/// Conformance: a coordinate whose `c` is within a rounding error of zero could take the
/// other sign, an error of 2η; the recorded cases have no such coordinate, so the default
/// tolerance applies.
public struct Lion: Submission, OptaxConformant {
    public static let name = "lion"
    public static let optaxReference = "optax.lion"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-5, max: 1e-2, scaling: .log),
        "one_minus_beta1": .range(min: 0.05, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.99]),
        "weight_decay": .range(min: 1e-3, max: 1, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    /// The paper's advice: a rate 3–10× smaller than AdamW's and a decay 3–10× larger.
    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-4, "one_minus_beta1": 0.1, "beta2": 0.99, "weight_decay": 0.1, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, weightDecay: Float
    var momentum: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        momentum = [Float](repeating: 0, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (b1, b2, decay) = (beta1, beta2, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            momentum.withUnsafeMutableBufferPointer { m in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<theta.count {
                        let gi = g[i]
                        let mi = m[i]
                        let c = (1 - b1) * gi + b1 * mi
                        let sign = c.signum
                        theta[i] -= rate * (sign + decay * theta[i])
                        m[i] = (1 - b2) * gi + b2 * mi
                    }
                }
            }
        }
    }

    public var stateBytes: Int { momentum.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("mu_dtype", is: .null, optaxDefault: .null)
        try a.require("mask", is: .null, optaxDefault: .null)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.99),
            "weight_decay": try a.number("weight_decay", default: 1e-3),
        ])
    }
}
