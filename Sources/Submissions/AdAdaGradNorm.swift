import Core
import Foundation
import NN

/// AdAdaGrad-Norm: AdaGrad-Norm (one scalar step size) whose batch size grows by an
/// adaptive sampling test.
///
/// Lau, Liu & Kolar, "AdAdaGrad: Adaptive Batch Size Schemes for Adaptive Gradient
/// Methods" (2024), with AdaGrad-Norm (Ward, Wu & Bottou, 2019):
/// `b² ← b² + ‖ḡ‖²` (b₀² = `initial_accumulator`, 1e-2), `θ ← θ − η_t·ḡ/b`, where ḡ is
/// the mean of the P sub-batch gradients and the batch size follows the norm or
/// inner-product test exactly as in `AdAdaGrad` (same hyperparameters and first-step
/// redraw). The default η = 1 makes the first step of length ≈ 1 in parameter space, the
/// scale AdaGrad-Norm's analysis takes. Oracle cost: P gradient evaluations per step.
public struct AdAdaGradNorm: Submission {
    public static let name = "adadagrad_norm"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-2, max: 10, scaling: .log),
        "test_constant": .range(min: 0.05, max: 1, scaling: .log),
        "test": .feasiblePoints([0]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1, "test": 0, "test_constant": 0.1, "parts": 8, "initial_batch_fraction": 0.0625,
        "max_batch_factor": 32, "initial_accumulator": 1e-2, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let batchTest: AdaptiveBatchSizeTest
    let initialBatchSize: Int
    /// b², accumulated in Double.
    var accumulator: Double
    var gradient: [Float]

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        batchTest = try AdaptiveBatchSizeTest(hyperparameters: hyperparameters, info: info)
        initialBatchSize = try AdAdaGrad.initialBatchSize(hyperparameters, info: info, test: batchTest)
        accumulator = try hyperparameters.nonNegative("initial_accumulator", default: 1e-2)
        gradient = [Float](repeating: 0, count: info.layout.count)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        if context.step == 0 {
            oracle.batchSize = initialBatchSize
            oracle.drawBatch()
        }
        let current = oracle.currentBatchSize
        let parts = oracle.subBatchGradients(at: parameters, parts: batchTest.parts)
        oracle.batchSize = batchTest.nextBatchSize(current: current, subBatches: parts, mean: &gradient)
        accumulator += gradient.reduce(0.0) { $0 + Double($1) * Double($1) }
        guard accumulator > 0 else { return }
        let scale = Float(schedule.learningRate(at: context.step) / accumulator.squareRoot())
        parameters.values.withUnsafeMutableBufferPointer { theta in
            gradient.withUnsafeBufferPointer { g in
                for i in 0..<theta.count { theta[i] -= scale * g[i] }
            }
        }
    }

    /// One scalar, b².
    public var stateBytes: Int { MemoryLayout<Double>.size }
}
