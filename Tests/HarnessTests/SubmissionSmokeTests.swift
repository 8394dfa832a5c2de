import Core
import Foundation
import Results
import Submissions
import Testing
import Workloads
@testable import Harness

/// Every registered generic submission runs a short trial on the real `regression`
/// workload and on a miniature of the real `cnn` workload (8×8 images, width 4, 256
/// training images), and every bilevel solver on both real bilevel workloads, through the
/// runner with its default hyperparameters: no error, no divergence, finite metrics at
/// every evaluation.
@Suite struct SubmissionSmokeTests {
    static let regression: WorkloadSpec? = try? SpecCatalog(directory: SuiteRunnerTests.workloadsDirectory).spec(named: "regression")

    /// The real `cnn` spec shrunk so that a debug build runs a few steps in well under a second.
    static let miniatureCNN: WorkloadSpec? = {
        guard var spec = try? SpecCatalog(directory: SuiteRunnerTests.workloadsDirectory).spec(named: "cnn") else { return nil }
        let small: [String: JSONValue] = [
            "image_size": .number(8), "train_examples": .number(256), "validation_examples": .number(64),
            "test_examples": .number(64), "train_eval_examples": .number(64), "crop_padding": .number(1),
            "width": .number(4), "stem_stride": .number(1), "stages": .number(2), "flops_per_image": .number(0),
        ]
        for (key, value) in small { spec.settings[key] = value }
        spec.defaultBatchSize = 16
        return spec
    }()

    @Test(arguments: SubmissionRegistry.genericNames)
    func defaultsRunCleanlyOnRegression(_ name: String) throws {
        let spec = try #require(Self.regression)
        let outcome = try Self.trial(name, on: spec, seed: 3, stepHint: spec.stepHint, steps: 20, evaluationPeriod: 10)
        #expect(outcome.stateBytes >= 0)
    }

    @Test(arguments: SubmissionRegistry.genericNames)
    func defaultsRunCleanlyOnAMiniatureCNN(_ name: String) throws {
        let spec = try #require(Self.miniatureCNN)
        let outcome = try Self.trial(name, on: spec, seed: 5, stepHint: 8, steps: 8, evaluationPeriod: 4)
        #expect(outcome.steps >= 1)
    }

    @Test(arguments: SubmissionRegistry.bilevelSolverNames, ["bilevel_hyperreg", "bilevel_hyperclean"])
    func bilevelSolverDefaultsRunCleanly(_ name: String, on workload: String) throws {
        let spec = try SpecCatalog(directory: SuiteRunnerTests.workloadsDirectory).spec(named: workload)
        let outcome = try Self.trial(name, on: spec, seed: 7, stepHint: spec.stepHint, steps: 10, evaluationPeriod: 5)
        #expect(outcome.steps >= 1)
    }

    /// Runs `name` with its defaults for `steps` steps and checks the outcome is clean:
    /// the budget (or the target) ended it, with at least two evaluations, all finite.
    static func trial(_ name: String, on spec: WorkloadSpec, seed: UInt64, stepHint: Int, steps: Int, evaluationPeriod: Int) throws -> TrialOutcome {
        let workload = try WorkloadRegistry.make(spec)
        let submission = try SubmissionRegistry.submission(named: name)
        let outcome = TrialRunner.run(
            workload: workload, submission: submission, hyperparameters: submission.defaultHyperparameters, seed: seed,
            budget: Budget(maxRuntimeSeconds: 60, stepHint: stepHint), schedule: .steps(period: evaluationPeriod), maximumSteps: steps)
        #expect(outcome.status == .budgetExhausted || outcome.status == .reachedTarget, "\(name): \(outcome.status) \(outcome.message)")
        #expect(outcome.evaluations.count >= 2)
        #expect(outcome.evaluations.allSatisfy { $0.validationMetric.isFinite && $0.trainLoss.isFinite })
        return outcome
    }
}
