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

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-4, max: 0.1, scaling: .log),
        "batch_multiplier": .feasiblePoints([4, 8, 16]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 5e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.01, "warmup_fraction": 0.05,
        "epsilon": 1e-6, "exclude_vectors": 1, "batch_multiplier": 8,
    ])

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
