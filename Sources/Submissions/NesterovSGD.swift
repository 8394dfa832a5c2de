import Core
import NN

/// SGD with Nesterov momentum, linear warmup and cosine decay (AlgoPerf's Nesterov baseline).
///
/// Sutskever et al., "On the importance of initialization and momentum in deep learning"
/// (ICML 2013), in the form optax and PyTorch implement:
/// with `d = g + λ·θ` (λ = `weight_decay`, an L2 term coupled to the gradient),
/// `m ← μ·m + d`, `θ ← θ − η_t·(μ·m + d)`, η_t from `WarmupCosineSchedule`. With the
/// hyperparameter `nesterov = 0` it is heavy-ball momentum: `θ ← θ − η_t·m`.
public struct NesterovSGD: Submission {
    public static let name = "nesterov"

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
        let rate = try hyperparameters.value("learning_rate")
        let oneMinusMomentum = try hyperparameters.value("one_minus_momentum")
        guard rate > 0, rate.isFinite else { throw HyperparameterError.invalid(name: "learning_rate", value: rate, expected: "a positive number") }
        guard (0...1).contains(oneMinusMomentum) else {
            throw HyperparameterError.invalid(name: "one_minus_momentum", value: oneMinusMomentum, expected: "a number in [0, 1]")
        }
        schedule = WarmupCosineSchedule(
            peak: rate, warmupFraction: hyperparameters.value("warmup_fraction", default: 0.05), totalSteps: budget.stepHint)
        momentum = Float(1 - oneMinusMomentum)
        weightDecay = Float(hyperparameters.value("weight_decay", default: 0))
        nesterov = hyperparameters.value("nesterov", default: 1) != 0
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
}
