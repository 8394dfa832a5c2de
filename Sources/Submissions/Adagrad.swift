import Core
import NN

/// Adagrad with linear warmup and cosine decay.
///
/// Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
/// Optimization" (JMLR 2011), diagonal form, as optax's `adagrad`:
/// `s ← s + g²` (starting at `initial_accumulator`, 0.1), `θ ← θ − η_t·g/√(s + ε)`.
/// The paper's diagonal update is `g/(δ + √s)`; optax puts ε inside the root and starts
/// the sum at 0.1 (as TensorFlow does), and so does this file.
public struct Adagrad: Submission, OptaxConformant {
    public static let name = "adagrad"
    public static let optaxReference = "optax.adagrad"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log),
        "initial_accumulator": .feasiblePoints([0.1]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 0.05, "initial_accumulator": 0.1, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let epsilon: Float
    var sumOfSquares: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-7))
        let initial = Float(try hyperparameters.nonNegative("initial_accumulator", default: 0.1))
        sumOfSquares = [Float](repeating: initial, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let eps = epsilon
        parameters.values.withUnsafeMutableBufferPointer { theta in
            sumOfSquares.withUnsafeMutableBufferPointer { s in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<theta.count {
                        let gi = g[i]
                        let si = s[i] + gi * gi
                        s[i] = si
                        if si > 0 { theta[i] -= rate * gi / (si + eps).squareRoot() }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { sumOfSquares.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "initial_accumulator": try a.number("initial_accumulator_value", default: 0.1),
            "epsilon": try a.number("eps", default: 1e-7),
        ])
    }
}
