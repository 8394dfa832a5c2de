import Core
import Foundation
import Results
import Submissions
import Testing
@testable import Harness

@Suite struct TrialPlanTests {
    static let spec = """
    {"name": "toy", "provisional": true, "settings": {},
     "default_batch_size": 4, "loss_type": "mean_squared_error", "metric": "mse", "direction": "minimize",
     "validation_target": 0.1, "test_target": 0.1, "max_runtime_s": 2, "eval_period_s": 0.5, "step_hint": 10,
     "variants": [{"name": "toy_hard", "validation_target": 0.2, "test_target": 0.2}]}
    """

    static func catalog() throws -> SpecCatalog {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(spec.utf8).write(to: folder.appendingPathComponent("toy.json"))
        return try SpecCatalog(directory: folder.path)
    }

    static func profile(trials: Int, studies: Int, variants: Bool) -> Profile {
        Profile(
            name: "t", description: "", trials: trials, studies: studies, workloads: [], includeVariants: variants,
            submissions: [], budgetScale: 0.5)
    }

    @Test func bilevelSolversArePlannedOnlyOnBilevelWorkloads() throws {
        let catalog = try SpecCatalog(directory: SuiteRunnerTests.workloadsDirectory)
        let jobs = try TrialPlan.jobs(
            catalog: catalog, profile: Self.profile(trials: 1, studies: 1, variants: true), ruleset: .selfTuning,
            submissionNames: ["soba", "adamw"],
            workloadNames: ["regression", "regression_mlp", "bilevel_hyperreg", "bilevel_hyperreg_wide"], suiteSeed: 0)
        let pairs = Set(jobs.map { "\($0.request.key.submission)/\($0.request.key.workload)" })
        #expect(pairs == [
            "adamw/regression", "adamw/regression_mlp", "adamw/bilevel_hyperreg", "adamw/bilevel_hyperreg_wide",
            "soba/bilevel_hyperreg", "soba/bilevel_hyperreg_wide",
        ])
    }

    @Test func externalPlanCoversEveryCombinationWithDistinctSeeds() throws {
        let jobs = try TrialPlan.jobs(
            catalog: Self.catalog(), profile: Self.profile(trials: 3, studies: 2, variants: true), ruleset: .external,
            submissionNames: ["adamw", "nesterov"], suiteSeed: 0)
        #expect(jobs.count == 2 * 2 * 2 * 3)  // workloads × submissions × studies × trials
        #expect(Set(jobs.map(\.request.key)).count == jobs.count)
        #expect(Set(jobs.map(\.request.seed)).count == jobs.count)
        #expect(jobs.allSatisfy { $0.request.budgetScale == 0.5 && $0.request.key.ruleset == "external" })
        #expect(Set(jobs.map(\.spec.name)) == ["toy", "toy_hard"])
    }

    @Test func planIsReproducibleAndDependsOnTheSuiteSeed() throws {
        let catalog = try Self.catalog()
        let profile = Self.profile(trials: 4, studies: 2, variants: false)
        func plan(_ seed: Int) throws -> [(UInt64, Hyperparameters)] {
            try TrialPlan.jobs(catalog: catalog, profile: profile, ruleset: .external, submissionNames: ["adamw"], suiteSeed: seed)
                .map { ($0.request.seed, $0.request.hyperparameters) }
        }
        let a = try plan(1), b = try plan(1), c = try plan(2)
        #expect(a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1))
        #expect(a.map(\.0) != c.map(\.0))
        #expect(a.map(\.1) != c.map(\.1))
        // Each study draws its own points.
        #expect(Array(a.prefix(4)).map(\.1) != Array(a.suffix(4)).map(\.1))
    }

    @Test func drawsStayInTheSearchSpace() {
        let space = SearchSpace([
            "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
            "momentum": .range(min: 0.8, max: 0.99, scaling: .linear),
            "warmup": .feasiblePoints([0.02, 0.05]),
        ])
        let points = TrialPlan.draw(space, count: 50, seed: 3)
        #expect(points.count == 50)
        for p in points {
            #expect((1e-4...1e-1).contains(p["learning_rate"] ?? -1))
            #expect((0.8...0.99).contains(p["momentum"] ?? -1))
            #expect([0.02, 0.05].contains(p["warmup"] ?? -1))
        }
        // Log scaling: about half of the draws below the geometric midpoint 1e-2.5.
        let low = points.filter { ($0["learning_rate"] ?? 0) < pow(10, -2.5) }.count
        #expect((20...30).contains(low))
    }

    @Test func unitCoordinatesMapOntoDimensions() {
        #expect(TrialPlan.value(of: .range(min: 2, max: 4, scaling: .linear), at: 0.25) == 2.5)
        #expect(abs(TrialPlan.value(of: .range(min: 1e-4, max: 1, scaling: .log), at: 0.5) - 1e-2) < 1e-12)
        #expect(TrialPlan.value(of: .feasiblePoints([1, 2, 3]), at: 0.0) == 1)
        #expect(TrialPlan.value(of: .feasiblePoints([1, 2, 3]), at: 0.5) == 2)
        #expect(TrialPlan.value(of: .feasiblePoints([1, 2, 3]), at: 0.999) == 3)
    }

    @Test func fixedPointsAreTakenInOrder() {
        let space = SearchSpace(fixedPoints: [Hyperparameters(["a": 1]), Hyperparameters(["a": 2]), Hyperparameters(["a": 3])])
        #expect(TrialPlan.draw(space, count: 2, seed: 0) == [Hyperparameters(["a": 1]), Hyperparameters(["a": 2])])
        #expect(TrialPlan.draw(space, count: 5, seed: 0).count == 3)
    }

    @Test func selfTuningRunsDefaultsOncePerStudyWithALargerBudget() throws {
        let jobs = try TrialPlan.jobs(
            catalog: Self.catalog(), profile: Self.profile(trials: 5, studies: 3, variants: false), ruleset: .selfTuning,
            submissionNames: ["adamw"], suiteSeed: 0)
        #expect(jobs.count == 3)
        #expect(jobs.map(\.request.key.trial) == [0, 0, 0])
        #expect(jobs.allSatisfy { $0.request.budgetScale == 0.5 * 1.5 && $0.request.key.ruleset == "self" })
        #expect(jobs.allSatisfy { $0.request.hyperparameters == AdamW.defaultHyperparameters })
    }

    @Test func unknownSubmissionIsRefusedWithTheValidNames() throws {
        do {
            _ = try TrialPlan.jobs(
                catalog: Self.catalog(), profile: Self.profile(trials: 1, studies: 1, variants: false), ruleset: .external,
                submissionNames: ["adamz"], suiteSeed: 0)
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.message.contains("adamz") && error.message.contains("adamw"))
        }
    }
}
