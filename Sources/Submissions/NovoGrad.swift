import Core
import NN

/// NovoGrad (layer-wise normalised gradients with momentum), linear warmup and cosine decay.
///
/// Ginsburg et al., "Stochastic Gradient Methods with Layer-wise Adaptive Moments for
/// Training of Deep Networks" (2019), as optax's `novograd`: per tensor a scalar second
/// moment `ν ← β₂ν + (1−β₂)‖g‖²` (`ν = ‖g‖²` at the first step),
/// `m ← β₁m + (g/(√ν + ε) + λθ)` (`m = g/(√ν + ε) + λθ` at the first step),
/// `θ ← θ − η_t·m`. Same as the paper's Algorithm 1 (whose first-moment update has no
/// (1−β₁) factor either); ε sits outside the root as in optax.
public struct NovoGrad: Submission, OptaxConformant {
    public static let name = "novograd"
    public static let optaxReference = "optax.novograd"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.25, 0.98]),
        "weight_decay": .range(min: 1e-5, max: 1e-2, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.05, "beta2": 0.98, "weight_decay": 1e-3, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    var momentum: [Float]
    /// One second moment per parameter tensor.
    var layerMoments: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-6))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        momentum = [Float](repeating: 0, count: info.layout.count)
        layerMoments = [Float](repeating: 0, count: info.layout.views.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let first = context.step == 0
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        for (index, view) in parameters.views.enumerated() {
            var squaredNorm = 0.0
            gradient.values.withUnsafeBufferPointer { g in
                for i in view.range { squaredNorm += Double(g[i]) * Double(g[i]) }
            }
            let nu = first ? Float(squaredNorm) : b2 * layerMoments[index] + (1 - b2) * Float(squaredNorm)
            layerMoments[index] = nu
            let inverse = 1 / (nu.squareRoot() + eps)
            let carry: Float = first ? 0 : b1
            parameters.values.withUnsafeMutableBufferPointer { theta in
                momentum.withUnsafeMutableBufferPointer { m in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in view.range {
                            let mi = carry * m[i] + (g[i] * inverse + decay * theta[i])
                            m[i] = mi
                            theta[i] -= rate * mi
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { (momentum.count + layerMoments.count) * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("eps_root", is: .number(0), optaxDefault: .number(0))
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.25),
            "epsilon": try a.number("eps", default: 1e-6),
            "weight_decay": try a.number("weight_decay", default: 0),
        ])
    }
}
