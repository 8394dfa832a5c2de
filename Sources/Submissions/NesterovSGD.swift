import Core
import NN

/// SGD with Nesterov momentum, linear warmup and cosine decay (AlgoPerf's Nesterov baseline).
///
/// Sutskever et al., "On the importance of initialization and momentum in deep learning"
/// (ICML 2013), in the form optax and PyTorch implement:
/// with `d = g + λ·θ` (λ = `weight_decay`, an L2 term coupled to the gradient),
/// `m ← μ·m + d`, `θ ← θ − η_t·(μ·m + d)`, η_t from `WarmupCosineSchedule`. With the
/// hyperparameter `nesterov = 0` it is heavy-ball momentum: `θ ← θ − η_t·m`.
public struct NesterovSGD: Submission, OptaxConformant {
    public static let name = "nesterov"
    public static let optaxReference = "optax.sgd"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log),
        "one_minus_momentum": .range(min: 0.01, max: 0.2, scaling: .log),
        "weight_decay": .range(min: 1e-6, max: 1e-3, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 0.05, "one_minus_momentum": 0.1, "weight_decay": 0, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let momentum: Float
    let weightDecay: Float
    let nesterov: Bool
    var velocity: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        momentum = Float(try hyperparameters.decayRate(oneMinus: "one_minus_momentum"))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        nesterov = try hyperparameters.flag("nesterov", default: true)
        velocity = [Float](repeating: 0, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (mu, decay, useNesterov) = (momentum, weightDecay, nesterov)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            velocity.withUnsafeMutableBufferPointer { m in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<theta.count {
                        let d = g[i] + decay * theta[i]
                        let v = mu * m[i] + d
                        m[i] = v
                        theta[i] -= rate * (useNesterov ? mu * v + d : v)
                    }
                }
            }
        }
    }

    public var stateBytes: Int { velocity.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("nesterov", is: .bool(true), optaxDefault: .bool(false))
        guard let momentum = try a.optionalNumber("momentum") else {
            throw InputError(source: a.source, field: "kwargs.momentum", message: "is required for Nesterov momentum")
        }
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a), "one_minus_momentum": 1 - momentum, "weight_decay": 0,
        ])
    }
}
