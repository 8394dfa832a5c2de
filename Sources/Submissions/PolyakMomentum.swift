import Core
import Foundation
import NN

/// ALR-SMAG: SGD with momentum whose step size is a Polyak step for the momentum direction.
///
/// Wang, Johansson & Zhang, "Generalized Polyak Step Size for First Order Optimization
/// with Momentum" (ICML 2023), stochastic version (adaptive learning rate for the
/// stochastic moving-average gradient), as in Schaipp's implementation of it:
/// `d ← βd + g` (a sum, not an average), `γ_t = min((f_B(θ) − f*) / (c‖d‖²), γ_max)`,
/// `θ ← θ·(1 − λγ_t) − γ_t·d`, with β = 0.9, c = 1, the cap γ_max = `max_step_size`
/// (0.1, the implementation's default `lr`), f* = `lower_bound` (0) and decoupled decay λ
/// (0). For β = 0 it is SPS_max without smoothing. A zero direction leaves θ unchanged.
/// State: d. One gradient evaluation per step (the loss comes with it).
public struct PolyakMomentum: Submission {
    public static let name = "polyak_momentum"

    public static let searchSpace = SearchSpace([
        "c": .range(min: 0.2, max: 5, scaling: .log),
        "beta": .feasiblePoints([0.9]),
        "max_step_size": .range(min: 1e-3, max: 10, scaling: .log),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "c": 1, "beta": 0.9, "max_step_size": 0.1, "lower_bound": 0, "weight_decay": 0,
    ])

    let c: Double, beta: Float, maxStepSize: Double, lowerBound: Double, weightDecay: Float
    /// The momentum direction d.
    var direction: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        c = try hyperparameters.positive("c", default: 1)
        beta = Float(try hyperparameters.decayRate("beta", default: 0.9))
        maxStepSize = try hyperparameters.positive("max_step_size", default: 0.1)
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        lowerBound = hyperparameters.value("lower_bound", default: 0)
        guard lowerBound.isFinite else {
            throw HyperparameterError.invalid(name: "lower_bound", value: lowerBound, expected: "a finite number")
        }
        direction = [Float](repeating: 0, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let loss = Double(oracle.gradient(at: parameters, into: &gradient))
        let b = beta
        let squaredNorm = direction.withUnsafeMutableBufferPointer { d in
            gradient.values.withUnsafeBufferPointer { g in
                var sum = 0.0
                for i in 0..<d.count {
                    let di = b * d[i] + g[i]
                    d[i] = di
                    sum += Double(di) * Double(di)
                }
                return sum
            }
        }
        guard squaredNorm > 0, loss.isFinite else { return }
        let stepSize = min(max(0, loss - lowerBound) / (c * squaredNorm), maxStepSize)
        let rate = Float(stepSize)
        let shrink = 1 - weightDecay * rate
        parameters.values.withUnsafeMutableBufferPointer { theta in
            direction.withUnsafeBufferPointer { d in
                for i in 0..<theta.count { theta[i] = theta[i] * shrink - rate * d[i] }
            }
        }
    }

    public var stateBytes: Int { direction.count * MemoryLayout<Float>.size }
}
