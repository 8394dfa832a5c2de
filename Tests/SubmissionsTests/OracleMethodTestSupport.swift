import Core
import Foundation
import Harness
import NN
import Results
import Tensor
import Testing
import Workloads
@testable import Submissions

/// Shared helpers for the tests of the submissions that need more than one gradient per
/// step (curvature, Polyak, adaptive-batch and zeroth-order methods): the real regression
/// workload (small instances for property tests), oracles with a fixed batch, exact
/// Hessians from the linear model's exact HVPs, and smoke trials through `TrialRunner`.
enum OracleMethodTestSupport {
    /// The repository's `workloads/` folder.
    static var specDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("workloads").path
    }

    /// `workloads/<name>.json` with `overrides` merged into its settings.
    static func spec(_ name: String, overrides: [String: JSONValue] = [:]) throws -> WorkloadSpec {
        var spec = try WorkloadSpec.load(contentsOf: (specDirectory as NSString).appendingPathComponent("\(name).json"))
        for (key, value) in overrides {
            #expect(spec.settings[key] != nil, "override of unknown setting \(key)")
            spec.settings[key] = value
        }
        return spec
    }

    /// A small linear instance of the real regression spec (16 features, 17 parameters).
    static func smallRegression(_ extra: [String: JSONValue] = [:]) throws -> RegressionWorkload {
        var overrides: [String: JSONValue] = [
            "dimension": .number(16), "train_examples": .number(1024), "validation_examples": .number(256),
            "test_examples": .number(256), "train_eval_examples": .number(128),
        ]
        overrides.merge(extra) { $1 }
        return try RegressionWorkload(spec: spec("regression", overrides: overrides))
    }

    /// The real spec's `regression_mlp` variant (a tanh MLP whose HVPs are central finite
    /// differences of gradients), for smoke trials of the curvature methods off the
    /// exact-HVP path.
    static func mlpRegression() throws -> RegressionWorkload {
        let base = try spec("regression")
        let variant = try #require(base.variants.first { $0.name == "regression_mlp" }, "regression_mlp variant")
        return try RegressionWorkload(spec: variant)
    }

    /// An oracle over `workload` with a batch already drawn (as the runner does each step).
    static func oracle(_ workload: RegressionWorkload, seed: UInt64 = 1, batchSize: Int? = nil, randomSeed: UInt64 = 7) -> Oracle {
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: seed), randomSeed: randomSeed)
        if let batchSize { oracle.batchSize = batchSize }
        oracle.drawBatch()
        return oracle
    }

    /// The exact Hessian of the oracle's current batch loss at `parameters`, row-major,
    /// column j = H e_j from the linear model's closed-form HVP.
    static func exactHessian(_ oracle: Oracle, at parameters: ParameterSet) -> [Double] {
        let d = parameters.values.count
        var hessian = [Double](repeating: 0, count: d * d)
        var basis = ParameterSet.zeros(like: parameters), column = ParameterSet.zeros(like: parameters)
        for j in 0..<d {
            basis.values[j] = 1
            oracle.hessianVectorProduct(at: parameters, vector: basis, into: &column)
            basis.values[j] = 0
            for i in 0..<d { hessian[i * d + j] = Double(column.values[i]) }
        }
        return hessian
    }

    static func context(_ step: Int, stepHint: Int = 1000) -> StepContext {
        StepContext(step: step, stepHint: stepHint, submissionTime: 0, lastEvaluation: nil)
    }

    /// Runs `steps` steps the way the runner does (a fresh batch, then the step) and
    /// returns the oracle counts each step added.
    static func countsPerStep<S: Submission>(
        _ type: S.Type, _ hyperparameters: Hyperparameters = S.defaultHyperparameters, steps: Int,
        workload: RegressionWorkload? = nil
    ) throws -> [OracleCounts] {
        let w = try workload ?? smallRegression()
        var parameters = w.initialParameters(seed: 3)
        let oracle = Oracle(workload: w, stream: w.makeDataStream(seed: 3), randomSeed: 5)
        var submission = try S(info: w.info, hyperparameters: hyperparameters, budget: Budget(maxRuntimeSeconds: 5, stepHint: 1000))
        var result: [OracleCounts] = []
        for step in 0..<steps {
            let before = oracle.counts
            oracle.drawBatch()
            try submission.step(&parameters, oracle: oracle, context: context(step))
            var delta = OracleCounts()
            delta.gradientEvaluations = oracle.counts.gradientEvaluations - before.gradientEvaluations
            delta.hessianVectorProducts = oracle.counts.hessianVectorProducts - before.hessianVectorProducts
            delta.functionEvaluations = oracle.counts.functionEvaluations - before.functionEvaluations
            delta.examples = oracle.counts.examples - before.examples
            result.append(delta)
        }
        return result
    }

    static func counts(gradients: Int = 0, hvps: Int = 0, functions: Int = 0, examples: Int) -> OracleCounts {
        var c = OracleCounts()
        c.gradientEvaluations = gradients
        c.hessianVectorProducts = hvps
        c.functionEvaluations = functions
        c.examples = examples
        return c
    }

    /// A short trial of `submission` with its default hyperparameters on the real
    /// regression spec (or `workload`): it must end without an error and without
    /// diverging, having taken `steps` steps and reported its state, and (unless
    /// `requireProgress` is false) with a lower validation error than it started from.
    static func smokeTrial(
        _ submission: any Submission.Type, hyperparameters: Hyperparameters? = nil, steps: Int = 40,
        workload: RegressionWorkload? = nil, requireProgress: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> TrialOutcome {
        let w = try workload ?? RegressionWorkload(spec: spec("regression"))
        let outcome = TrialRunner.run(
            workload: w, submission: submission, hyperparameters: hyperparameters ?? submission.defaultHyperparameters,
            seed: 11, budget: Budget(maxRuntimeSeconds: 60, stepHint: w.spec.stepHint), schedule: .steps(period: 20),
            maximumSteps: steps)
        #expect(outcome.status == .budgetExhausted || outcome.status == .reachedTarget,
                "\(submission.name): \(outcome.status) \(outcome.message)", sourceLocation: sourceLocation)
        #expect(outcome.steps >= 1, sourceLocation: sourceLocation)
        let first = try #require(outcome.evaluations.first, sourceLocation: sourceLocation)
        let last = try #require(outcome.evaluations.last, sourceLocation: sourceLocation)
        #expect(last.validationMetric.isFinite, sourceLocation: sourceLocation)
        #expect(!requireProgress || last.validationMetric < first.validationMetric,
                "\(submission.name): validation \(first.validationMetric) → \(last.validationMetric)", sourceLocation: sourceLocation)
        return outcome
    }
}
