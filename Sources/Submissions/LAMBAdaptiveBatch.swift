import Core
import Foundation
import NN

/// LAMB with the large-batch recipe: the submission chooses a batch `batch_multiplier`
/// times the workload's default and scales its rate by the square root of that factor.
///
/// You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes"
/// (ICLR 2020): LAMB's update (`LAMB`'s rule, unchanged) run at batch size
/// k·B (k = `batch_multiplier`, default 8) with the paper's square-root scaling of the
/// learning rate, `η = √k · learning_rate`, and the warmup-then-decay schedule stretched
/// over the same number of examples, i.e. over `step_hint / k` steps (the paper decays
/// polynomially; the house cosine is used here). The batch size is set through
/// `oracle.batchSize`; on the first step the runner's default-size batch is replaced by a
/// fresh one of k·B examples (both draws count as examples seen). The paper's second
/// stage (a smaller batch at longer sequence length) has no counterpart here. Oracle
/// cost: one gradient per step over k·B examples.
public struct LAMBAdaptiveBatch: Submission {
    public static let name = "lamb_adaptive_batch"

    /// LAMB's space and defaults with the batch multiplier.
    public static let searchSpace = SearchSpace.adamFamily(
        adding: LAMB.addedDimensions.merging(["batch_multiplier": .feasiblePoints([4, 8, 16])]) { _, added in added })
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(
        learningRate: 5e-3, adding: LAMB.addedDefaults.merging(["batch_multiplier": 8]) { _, added in added })

    /// The batch size this submission trains at.
    let batchSize: Int
    var base: LAMB

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let k = hyperparameters.value("batch_multiplier", default: 8)
        guard k >= 1, k <= 4096, k == k.rounded() else {
            throw HyperparameterError.invalid(name: "batch_multiplier", value: k, expected: "an integer in 1...4096")
        }
        var size = Int(k) * info.defaultBatchSize
        if let n = info.trainingExamples { size = min(size, n) }
        batchSize = size
        let multiplier = Double(size) / Double(info.defaultBatchSize)
        var scaled = hyperparameters
        scaled["learning_rate"] = try hyperparameters.positive("learning_rate") * multiplier.squareRoot()
        let steps = max(1, Int((Double(budget.stepHint) / multiplier).rounded()))
        base = try LAMB(
            info: info, hyperparameters: scaled,
            budget: Budget(maxRuntimeSeconds: budget.maxRuntimeSeconds, stepHint: steps))
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        if oracle.batchSize != batchSize {
            oracle.batchSize = batchSize
            oracle.drawBatch()
        }
        try base.step(&parameters, oracle: oracle, context: context)
    }

    public var stateBytes: Int { base.stateBytes }
}
