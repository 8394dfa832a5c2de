import Core
import Foundation
import Results
import Submissions
import Testing
import Workloads
@testable import Harness

/// Every registered submission runs a short trial on the real `regression` workload
/// through the runner with its default hyperparameters: no error, no divergence, and a
/// state size no smaller than zero.
@Suite struct SubmissionSmokeTests {
    static let regression: WorkloadSpec? = try? SpecCatalog(directory: SuiteRunnerTests.workloadsDirectory).spec(named: "regression")

    @Test(arguments: SubmissionRegistry.names)
    func defaultsRunCleanlyOnRegression(_ name: String) throws {
        let spec = try #require(Self.regression)
        let workload = try WorkloadRegistry.make(spec)
        let submission = try SubmissionRegistry.submission(named: name)
        let outcome = TrialRunner.run(
            workload: workload, submission: submission, hyperparameters: submission.defaultHyperparameters, seed: 3,
            budget: Budget(maxRuntimeSeconds: 30, stepHint: spec.stepHint), schedule: .steps(period: 10), maximumSteps: 20)
        #expect(outcome.status == .budgetExhausted || outcome.status == .reachedTarget, "\(name): \(outcome.status) \(outcome.message)")
        #expect(outcome.evaluations.count >= 2)
        #expect(outcome.evaluations.allSatisfy { $0.validationMetric.isFinite })
        #expect(outcome.stateBytes >= 0)
    }
}
