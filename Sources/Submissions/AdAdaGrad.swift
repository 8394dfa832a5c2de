import Core
import Foundation
import NN

/// AdAdaGrad: diagonal AdaGrad whose batch size grows by an adaptive sampling test.
///
/// Lau, Liu & Kolar, "AdAdaGrad: Adaptive Batch Size Schemes for Adaptive Gradient
/// Methods" (2024). Each step the current batch (b examples, a multiple of `parts` P) is
/// split into P sub-batches through `Oracle.subBatchGradients`; their mean ḡ is the
/// step's gradient and their spread feeds the norm test (`test` = 0, η = 0.1, the
/// paper's setting for AdaGrad), the inner-product test (`test` = 1) or the paper's
/// coordinate-wise norm test for diagonal AdaGrad (`test` = 2) of
/// `AdaptiveBatchSizeTest`, which sets `oracle.batchSize` for the next step (never
/// smaller, at most `max_batch_factor` × the workload's default batch). The run starts
/// at `initial_batch_fraction` (1/16) of the default batch; the first step redraws its
/// batch at that size (the runner's default-size draw is counted in the examples).
/// Update, as the reference's torch AdaGrad: `s ← s + ḡ²`, `θ ← θ − η_t·ḡ/(√s + ε)`,
/// ε = 1e-10, s starting at 0, with the house warmup-cosine schedule. Oracle cost: P gradient evaluations
/// (one per sub-batch) over b examples per step.
public struct AdAdaGrad: Submission {
    public static let name = "adadagrad"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log),
        "test_constant": .range(min: 0.05, max: 1, scaling: .log),
        "test": .feasiblePoints([0, 2]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 0.05, "test": 0, "test_constant": 0.1, "parts": 8, "initial_batch_fraction": 0.0625,
        "max_batch_factor": 32, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let epsilon: Float
    let batchTest: AdaptiveBatchSizeTest
    let initialBatchSize: Int
    var sumOfSquares: [Float]
    /// ḡ (scratch).
    var gradient: [Float]

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-10))
        batchTest = try AdaptiveBatchSizeTest(hyperparameters: hyperparameters, info: info, allowsCoordinateWise: true)
        initialBatchSize = try Self.initialBatchSize(hyperparameters, info: info, test: batchTest)
        sumOfSquares = [Float](repeating: 0, count: info.layout.count)
        gradient = sumOfSquares
    }

    static func initialBatchSize(_ h: Hyperparameters, info: WorkloadInfo, test: AdaptiveBatchSizeTest) throws -> Int {
        let fraction = h.value("initial_batch_fraction", default: 0.0625)
        guard fraction > 0, fraction <= 1 else {
            throw HyperparameterError.invalid(name: "initial_batch_fraction", value: fraction, expected: "a number in (0, 1]")
        }
        return test.admissible(Int((fraction * Double(info.defaultBatchSize)).rounded()))
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        if context.step == 0 {
            oracle.batchSize = initialBatchSize
            oracle.drawBatch()
        }
        let current = oracle.currentBatchSize
        let parts = oracle.subBatchGradients(at: parameters, parts: batchTest.parts)
        oracle.batchSize = batchTest.nextBatchSize(current: current, subBatches: parts, mean: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let eps = epsilon
        parameters.values.withUnsafeMutableBufferPointer { theta in
            sumOfSquares.withUnsafeMutableBufferPointer { s in
                gradient.withUnsafeBufferPointer { g in
                    for i in 0..<theta.count {
                        let gi = g[i]
                        let si = s[i] + gi * gi
                        s[i] = si
                        theta[i] -= rate * gi / (si.squareRoot() + eps)
                    }
                }
            }
        }
    }

    public var stateBytes: Int { sumOfSquares.count * MemoryLayout<Float>.size }
}
