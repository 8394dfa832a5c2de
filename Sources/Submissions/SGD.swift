import Core
import NN

/// Plain stochastic gradient descent with linear warmup and cosine decay.
///
/// Robbins & Monro, "A Stochastic Approximation Method" (1951):
/// `θ ← θ − η_t·(g + λθ)`, with an optional L2 term λ (`weight_decay`) coupled to the
/// gradient. optax's `sgd` without momentum is the same rule with λ = 0.
public struct SGD: Submission, OptaxConformant {
    public static let name = "sgd"
    public static let optaxReference = "optax.sgd"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log),
        "weight_decay": .range(min: 1e-6, max: 1e-3, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 0.1, "weight_decay": 0, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let weightDecay: Float
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let decay = weightDecay
        parameters.values.withUnsafeMutableBufferPointer { theta in
            gradient.values.withUnsafeBufferPointer { g in
                for i in 0..<theta.count { theta[i] -= rate * (g[i] + decay * theta[i]) }
            }
        }
    }

    public var stateBytes: Int { 0 }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("momentum", is: .null, optaxDefault: .null)
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        return Hyperparameters(["learning_rate": try OptaxMapping.learningRate(&a), "weight_decay": 0])
    }
}
