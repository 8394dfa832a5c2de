import Core
import NN

/// RMSProp with optional heavy-ball momentum, linear warmup and cosine decay.
///
/// Tieleman & Hinton, "Lecture 6.5 — RMSProp" (COURSERA: Neural Networks for Machine
/// Learning, 2012), as optax's `rmsprop` (uncentred, ε inside the root, no bias
/// correction): `v ← ρv + (1−ρ)g²`, `u = η_t·g/√(v + ε)`; without momentum `θ ← θ − u`,
/// with momentum μ `b ← μb + u`, `θ ← θ − b` (optax's `trace` after the rate, as in
/// TensorFlow). The lecture states only `g/√v`; where ε sits follows optax.
public struct RMSProp: Submission, OptaxConformant {
    public static let name = "rmsprop"
    public static let optaxReference = "optax.rmsprop"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "decay": .feasiblePoints([0.9, 0.99]),
        "momentum": .feasiblePoints([0, 0.9]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-3, "decay": 0.99, "momentum": 0.9, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let decay: Float, epsilon: Float, momentum: Float
    var secondMoment: [Float]
    var velocity: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        decay = Float(try hyperparameters.decayRate("decay"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        momentum = Float(try hyperparameters.decayRate("momentum", default: 0))
        secondMoment = [Float](repeating: 0, count: info.layout.count)
        velocity = momentum > 0 ? secondMoment : []
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (rho, eps, mu) = (decay, epsilon, momentum)
        let useMomentum = !velocity.isEmpty
        parameters.values.withUnsafeMutableBufferPointer { theta in
            secondMoment.withUnsafeMutableBufferPointer { v in
                velocity.withUnsafeMutableBufferPointer { b in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in 0..<theta.count {
                            let gi = g[i]
                            let vi = rho * v[i] + (1 - rho) * gi * gi
                            v[i] = vi
                            var u = rate * gi / (vi + eps).squareRoot()
                            if useMomentum {
                                u += mu * b[i]
                                b[i] = u
                            }
                            theta[i] -= u
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { (secondMoment.count + velocity.count) * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("initial_scale", is: .number(0), optaxDefault: .number(0))
        try a.require("eps_in_sqrt", is: .bool(true), optaxDefault: .bool(true))
        try a.require("centered", is: .bool(false), optaxDefault: .bool(false))
        try a.require("nesterov", is: .bool(false), optaxDefault: .bool(false))
        try a.require("bias_correction", is: .bool(false), optaxDefault: .bool(false))
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "decay": try a.number("decay", default: 0.9),
            "epsilon": try a.number("eps", default: 1e-8),
            "momentum": try a.optionalNumber("momentum") ?? 0,
        ])
    }
}
