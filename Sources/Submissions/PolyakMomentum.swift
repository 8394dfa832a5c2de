import Core
import Foundation
import NN

/// Stochastic heavy ball with a Polyak-type adaptive learning rate.
///
/// After Wang, Johansson & Zhang, "Generalized Polyak Step Size for First Order
/// Optimization with Momentum" (ICML 2023), stochastic version. Reading chosen: the
/// heavy-ball iteration in its iterate-moving-average form, whose Polyak step is SPS_max
/// scaled by `1 − β` (MomSPS_max, as analysed by Oikonomou & Loizou, 2024):
/// `γ_t = (1 − β)·min((f_B(θ_t) − f*) / (c‖g_t‖²), γ_b)`,
/// `θ_{t+1} = θ_t − γ_t·g_t + β(θ_t − θ_{t−1})`,
/// with `f*` = `lower_bound` (0), c = ½, β = 0.9 and the cap γ_b = `max_step_size`.
/// For β = 0 it is SPS_max without smoothing. A zero gradient contributes no gradient
/// step (the momentum term still applies). State: the last displacement `θ_t − θ_{t−1}`.
/// One gradient evaluation per step.
public struct PolyakMomentum: Submission {
    public static let name = "polyak_momentum"

    public static let searchSpace = SearchSpace([
        "c": .range(min: 0.1, max: 2, scaling: .log),
        "beta": .feasiblePoints([0.9]),
        "max_step_size": .range(min: 0.1, max: 100, scaling: .log),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "c": 0.5, "beta": 0.9, "max_step_size": 10, "lower_bound": 0,
    ])

    let c: Double, beta: Float, maxStepSize: Double, lowerBound: Double
    /// `θ_t − θ_{t−1}`.
    var displacement: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        c = try hyperparameters.positive("c", default: 0.5)
        beta = Float(try hyperparameters.decayRate("beta", default: 0.9))
        maxStepSize = try hyperparameters.positive("max_step_size", default: 10)
        lowerBound = hyperparameters.value("lower_bound", default: 0)
        guard lowerBound.isFinite else {
            throw HyperparameterError.invalid(name: "lower_bound", value: lowerBound, expected: "a finite number")
        }
        displacement = [Float](repeating: 0, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let loss = Double(oracle.gradient(at: parameters, into: &gradient))
        let squaredNorm = gradient.values.withUnsafeBufferPointer { g in
            var sum = 0.0
            for i in 0..<g.count { sum += Double(g[i]) * Double(g[i]) }
            return sum
        }
        var stepSize = 0.0
        if squaredNorm > 0, loss.isFinite {
            stepSize = Double(1 - beta) * min(max(0, loss - lowerBound) / (c * squaredNorm), maxStepSize)
        }
        let rate = Float(stepSize), b = beta
        parameters.values.withUnsafeMutableBufferPointer { theta in
            displacement.withUnsafeMutableBufferPointer { d in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<theta.count {
                        let move = b * d[i] - rate * g[i]
                        d[i] = move
                        theta[i] += move
                    }
                }
            }
        }
    }

    public var stateBytes: Int { displacement.count * MemoryLayout<Float>.size }
}
