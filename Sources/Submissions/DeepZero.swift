import Core
import Foundation
import NN
import Tensor

/// DeepZero: zeroth-order SGD from coordinate-wise finite differences on a sparse,
/// periodically re-drawn coordinate subset; linear warmup and cosine decay.
///
/// Chen et al., "DeepZero: Scaling up Zeroth-Order Optimization for Deep Model Training"
/// (ICLR 2024), sparse coordinate-wise gradient estimation (CGE). Every
/// `redraw_period` steps (10) a subset S is drawn: in each tensor, ⌈ρ·count⌉ coordinates
/// uniformly without replacement (ρ = `density`, 0.05). DeepZero takes its layer-wise
/// densities from ZO-GraSP pruning at initialisation; a uniform density per tensor is the
/// reading chosen here. Per step, with `f₀ = f_B(θ)`:
/// `ĝ_i = (f_B(θ + μe_i) − f₀)/μ` for i ∈ S (forward differences, μ = 5e-3, each θ_i
/// restored exactly), `ĝ_i = 0` elsewhere; `v ← βv + ĝ` (β = `momentum`, 0 by default)
/// and `θ ← θ − η_t·(v + λθ)`. Oracle cost: `1 + |S|` function evaluations per step, no
/// gradients.
public struct DeepZero: Submission {
    public static let name = "deepzero"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log),
        "density": .feasiblePoints([0.05]),
        "momentum": .feasiblePoints([0, 0.9]),
        "warmup_fraction": .feasiblePoints([0]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 0.1, "density": 0.05, "perturbation_scale": 5e-3, "redraw_period": 10, "momentum": 0,
        "weight_decay": 0, "warmup_fraction": 0,
    ])

    let schedule: WarmupCosineSchedule
    let density: Double, smoothing: Float, momentum: Float, weightDecay: Float
    let redrawPeriod: Int
    let views: [ParameterView]
    /// The current coordinate subset S, sorted.
    var coordinates: [Int] = []
    /// ĝ on S (scratch, parallel to `coordinates`).
    var estimates: [Float] = []
    /// Momentum buffer (empty when β = 0).
    var velocity: [Float]

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        var h = hyperparameters
        if h["warmup_fraction"] == nil { h["warmup_fraction"] = 0 }
        schedule = try WarmupCosineSchedule(hyperparameters: h, budget: budget)
        density = try hyperparameters.positive("density", default: 0.05)
        guard density <= 1 else { throw HyperparameterError.invalid(name: "density", value: density, expected: "a number in (0, 1]") }
        smoothing = Float(try hyperparameters.positive("perturbation_scale", default: 5e-3))
        momentum = Float(try hyperparameters.decayRate("momentum", default: 0))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        redrawPeriod = try AdaHessian.count("redraw_period", hyperparameters, default: 10)
        views = info.layout.views
        velocity = momentum > 0 ? [Float](repeating: 0, count: info.layout.count) : []
    }

    /// Draws S for the period starting at `step`.
    mutating func redraw(oracle: Oracle, step: Int) {
        var generator = oracle.probeGenerator(Self.name, step: step)
        coordinates.removeAll(keepingCapacity: true)
        for view in views {
            let k = min(view.count, Int((density * Double(view.count)).rounded(.up)))
            var pool = Array(view.range)
            for j in 0..<k {
                let pick = j + generator.nextInt(below: pool.count - j)
                pool.swapAt(j, pick)
            }
            coordinates.append(contentsOf: pool[0..<k].sorted())
        }
        estimates = [Float](repeating: 0, count: coordinates.count)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        if context.step % redrawPeriod == 0 || coordinates.isEmpty { redraw(oracle: oracle, step: context.step) }
        let base = Double(oracle.loss(at: parameters))
        let mu = smoothing
        for (k, i) in coordinates.enumerated() {
            let saved = parameters.values[i]
            parameters.values[i] = saved + mu
            let perturbed = Double(oracle.loss(at: parameters))
            let step = Double(parameters.values[i]) - Double(saved)
            parameters.values[i] = saved
            estimates[k] = Float((perturbed - base) / step)
        }
        let rate = Float(schedule.learningRate(at: context.step))
        let decay = weightDecay
        if velocity.isEmpty {
            if decay > 0 {
                parameters.values.withUnsafeMutableBufferPointer { theta in
                    for i in 0..<theta.count { theta[i] -= rate * decay * theta[i] }
                }
            }
            for (k, i) in coordinates.enumerated() where estimates[k].isFinite {
                parameters.values[i] -= rate * estimates[k]
            }
        } else {
            let beta = momentum
            velocity.withUnsafeMutableBufferPointer { v in
                for i in 0..<v.count { v[i] *= beta }
                for (k, i) in coordinates.enumerated() { v[i] += estimates[k] }
            }
            parameters.values.withUnsafeMutableBufferPointer { theta in
                velocity.withUnsafeBufferPointer { v in
                    for i in 0..<theta.count { theta[i] -= rate * (v[i] + decay * theta[i]) }
                }
            }
        }
    }

    /// The subset S (one index per sampled coordinate) and the momentum buffer.
    public var stateBytes: Int {
        coordinates.count * MemoryLayout<Int>.size + velocity.count * MemoryLayout<Float>.size
    }
}
