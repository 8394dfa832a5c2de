import Core
import NN

/// Signum (sign of momentum) with linear warmup and cosine decay.
///
/// Bernstein et al., "signSGD: Compressed Optimisation for Non-Convex Problems"
/// (ICML 2018), Algorithm 3, as optax's `signum`: `m ← βm + (1−β)g`,
/// `θ ← θ − η_t·sign(m)`, sign(0) = 0. Identical to the paper.
///
/// Conformance: a coordinate whose momentum is within a rounding error of zero could take
/// the other sign (an error of 2η); the recorded case has none, so the default tolerance
/// applies.
public struct Signum: Submission, OptaxConformant {
    public static let name = "signum"
    public static let optaxReference = "optax.signum"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-5, max: 1e-2, scaling: .log),
        "one_minus_momentum": .range(min: 0.01, max: 0.2, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-4, "one_minus_momentum": 0.1, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta: Float
    var momentum: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta = Float(try hyperparameters.decayRate(oneMinus: "one_minus_momentum"))
        momentum = [Float](repeating: 0, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let b = beta
        parameters.values.withUnsafeMutableBufferPointer { theta in
            momentum.withUnsafeMutableBufferPointer { m in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<theta.count {
                        let mi = (1 - b) * g[i] + b * m[i]
                        m[i] = mi
                        theta[i] -= rate * mi.signum
                    }
                }
            }
        }
    }

    public var stateBytes: Int { momentum.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("accumulator_dtype", is: .null, optaxDefault: .null)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_momentum": 1 - (try a.number("beta", default: 0.9)),
        ])
    }
}
