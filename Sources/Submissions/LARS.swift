import Core
import NN

/// LARS (layer-wise adaptive rate scaling) with momentum, linear warmup and cosine decay.
///
/// You, Gitman & Ginsburg, "Large Batch Training of Convolutional Networks" (2017), as
/// optax's `lars`: per tensor `d = g + λθ`, trust ratio `r = κ·‖θ‖/‖d‖` (1 when either
/// norm is zero), `b ← μb + η_t·r·d`, `θ ← θ − b`. The paper's local rate is
/// `κ‖θ‖/(‖g‖ + λ‖θ‖)`; optax divides by the norm of the decayed gradient `‖g + λθ‖`,
/// and so does this file. With `exclude_vectors = 1` (the default for training, as in the
/// usual ResNet recipe) biases and norm parameters get neither decay nor a trust ratio;
/// optax's default masks adapt every tensor, so conformance sets it to 0.
public struct LARS: Submission, OptaxConformant {
    public static let name = "lars"
    public static let optaxReference = "optax.lars"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-1, max: 30, scaling: .log),
        "one_minus_momentum": .range(min: 0.01, max: 0.2, scaling: .log),
        "weight_decay": .range(min: 1e-5, max: 1e-3, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 2, "one_minus_momentum": 0.1, "weight_decay": 1e-4, "warmup_fraction": 0.05,
        "trust_coefficient": 1e-3, "exclude_vectors": 1,
    ])

    let schedule: WarmupCosineSchedule
    let momentum: Float, weightDecay: Float, trustCoefficient: Float, epsilon: Float
    let excludeVectors: Bool
    var velocity: [Float]
    /// Holds the gradient, then the decayed gradient `d`.
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        momentum = Float(try hyperparameters.decayRate(oneMinus: "one_minus_momentum"))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        trustCoefficient = Float(try hyperparameters.positive("trust_coefficient", default: 1e-3))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 0))
        excludeVectors = try hyperparameters.flag("exclude_vectors", default: true)
        velocity = [Float](repeating: 0, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (mu, kappa, eps) = (momentum, trustCoefficient, epsilon)
        for view in parameters.views {
            let adapt = !excludeVectors || view.kind.isMatrixLike
            let decay = adapt ? weightDecay : 0
            parameters.values.withUnsafeMutableBufferPointer { theta in
                velocity.withUnsafeMutableBufferPointer { b in
                    gradient.values.withUnsafeMutableBufferPointer { d in
                        var parameterNorm = 0.0, directionNorm = 0.0
                        for i in view.range {
                            let di = d[i] + decay * theta[i]
                            d[i] = di
                            parameterNorm += Double(theta[i]) * Double(theta[i])
                            directionNorm += Double(di) * Double(di)
                        }
                        parameterNorm.formSquareRoot()
                        directionNorm.formSquareRoot()
                        let ratio = adapt && parameterNorm > 0 && directionNorm > 0
                            ? kappa * Float(parameterNorm) / (Float(directionNorm) + eps) : 1
                        let scale = rate * ratio
                        for i in view.range {
                            let bi = mu * b[i] + scale * d[i]
                            b[i] = bi
                            theta[i] -= bi
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { velocity.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("weight_decay_mask", is: .bool(true), optaxDefault: .bool(true))
        try a.require("trust_ratio_mask", is: .bool(true), optaxDefault: .bool(true))
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_momentum": 1 - (try a.number("momentum", default: 0.9)),
            "weight_decay": try a.number("weight_decay", default: 0),
            "trust_coefficient": try a.number("trust_coefficient", default: 1e-3),
            "epsilon": try a.number("eps", default: 0),
            "exclude_vectors": 0,
        ])
    }
}
