import Core
import Foundation
import NN

/// SPS_max: SGD with the stochastic Polyak step size, capped and smoothed.
///
/// Loizou, Vaswani, Laradji & Lacoste-Julien, "Stochastic Polyak Step-size for SGD: An
/// Adaptive Learning Rate for Fast Convergence" (AISTATS 2021). On the step's batch B,
/// with loss `f_B(θ)` and gradient `g`:
/// `γ_t = min((f_B(θ) − f*) / (c‖g‖²), γ_b,t)`, `θ ← θ − γ_t·g`,
/// where `f*` = `lower_bound` (0: every workload's loss is non-negative) and `c` = ½ (the
/// paper's theoretical value; its deep-learning runs use 0.2, which on the regression
/// workload overshoots into divergence once the noise floor makes `f_B − 0` large against
/// `‖g‖²`). The bound follows the
/// authors' default "smooth" rule, `γ_b,t = min(τ^{b/n}·γ_{t−1}, max_step_size)` with
/// `γ_{−1}` = `initial_step_size` (1), τ = `smoothing` (2), b the batch size and n the
/// training-set size (without a finite training set, `γ_b,t` = `max_step_size`);
/// `max_step_size` defaults to ½, below 2/L for a batch of the regression workload. A zero
/// gradient leaves θ unchanged. One gradient evaluation per step (the loss comes with it).
public struct SPS: Submission {
    public static let name = "sps"

    public static let searchSpace = SearchSpace([
        "c": .range(min: 0.05, max: 1, scaling: .log),
        "max_step_size": .range(min: 1e-2, max: 10, scaling: .log),
        "initial_step_size": .feasiblePoints([1]),
        "smoothing": .feasiblePoints([2]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "c": 0.5, "max_step_size": 0.5, "initial_step_size": 1, "smoothing": 2, "lower_bound": 0,
    ])

    let c: Double, maxStepSize: Double, lowerBound: Double
    /// `τ^{b/n}` per step (1 when the training set is unbounded), recomputed if b changes.
    let smoothing: Double
    let trainingExamples: Int?
    /// γ_{t−1}, the previous step size.
    var previousStepSize: Double
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        c = try hyperparameters.positive("c", default: 0.5)
        maxStepSize = try hyperparameters.positive("max_step_size", default: 0.5)
        lowerBound = hyperparameters.value("lower_bound", default: 0)
        guard lowerBound.isFinite else {
            throw HyperparameterError.invalid(name: "lower_bound", value: lowerBound, expected: "a finite number")
        }
        smoothing = try hyperparameters.positive("smoothing", default: 2)
        previousStepSize = try hyperparameters.positive("initial_step_size", default: 1)
        trainingExamples = info.trainingExamples
        gradient = ParameterSet(layout: info.layout)
    }

    /// The bound `γ_b,t` for a batch of `batchSize` examples.
    func stepSizeBound(batchSize: Int) -> Double {
        guard let n = trainingExamples, n > 0 else { return maxStepSize }
        return min(maxStepSize, previousStepSize * pow(smoothing, Double(batchSize) / Double(n)))
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let loss = Double(oracle.gradient(at: parameters, into: &gradient))
        let squaredNorm = gradient.values.withUnsafeBufferPointer { g in
            var sum = 0.0
            for i in 0..<g.count { sum += Double(g[i]) * Double(g[i]) }
            return sum
        }
        let bound = stepSizeBound(batchSize: oracle.currentBatchSize)
        guard squaredNorm > 0, loss.isFinite else { return }
        let polyak = max(0, loss - lowerBound) / (c * squaredNorm)
        let stepSize = min(polyak, bound)
        previousStepSize = stepSize
        let rate = Float(stepSize)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            gradient.values.withUnsafeBufferPointer { g in
                for i in 0..<theta.count { theta[i] -= rate * g[i] }
            }
        }
    }

    /// One scalar (the previous step size).
    public var stateBytes: Int { MemoryLayout<Double>.size }
}
