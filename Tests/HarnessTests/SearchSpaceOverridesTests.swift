import Core
import Foundation
import Submissions
import Testing
@testable import Harness

/// `optbench run --search-space`: AlgoPerf's own `tuning_search_space.json` files (copied
/// under Tests/Fixtures/algoperf/search_spaces, see ORIGIN.md there) and the argument forms.
@Suite struct SearchSpaceOverridesTests {
    static let fixtures = SuiteRunnerTests.repositoryRoot.appendingPathComponent("Tests/Fixtures/algoperf/search_spaces").path

    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-space-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The `InputError` `body` throws (nil when it throws none or another error).
    static func inputError(_ body: () throws -> Void) -> InputError? {
        do {
            try body()
            return nil
        } catch let error as InputError {
            return error
        } catch {
            return nil
        }
    }

    @Test func algoPerfFilesParseInAllTheirForms() throws {
        let ranges = try SearchSpace.load(contentsOf: "\(Self.fixtures)/archived_paper_baselines_adamw.json")
        guard case .dimensions(let dimensions) = ranges.form else { Issue.record("expected dimensions"); return }
        #expect(dimensions["learning_rate"] == .range(min: 1e-4, max: 1e-2, scaling: .log))
        #expect(dimensions["label_smoothing"] == .feasiblePoints([0.1, 0.2]))
        #expect(dimensions.count == 7)

        let list = try SearchSpace.load(contentsOf: "\(Self.fixtures)/baselines_external_tuning.json")
        guard case .fixedPoints(let points) = list.form else { Issue.record("expected fixed points"); return }
        #expect(points.count == 5)
        #expect(points[3].values["beta2"] == 0.6291854735396584)
        #expect(points[1].values["warmup_factor"] == 0.05)

        let single = try SearchSpace.load(contentsOf: "\(Self.fixtures)/target_setting_criteo1tb.json")
        #expect(single.names == ["beta1", "beta2", "learning_rate", "warmup_steps", "weight_decay"])
        #expect(TrialPlan.draw(single, count: 1, seed: 3)[0].values["warmup_steps"] == 159)
    }

    /// AlgoPerf's names (`warmup_factor`, `label_smoothing`, ...) are not this project's:
    /// the file is refused, naming it and the field, rather than tuning nothing silently.
    @Test func aNameTheSubmissionLacksIsAnErrorNamingFileAndField() throws {
        let path = "\(Self.fixtures)/archived_paper_baselines_adamw.json"
        let error = Self.inputError { _ = try SearchSpaceOverrides.load([path], submissions: ["adamw"]) }
        #expect(error?.source == path)
        #expect(error?.field == "dropout_rate")
        #expect(error?.message.contains("not a hyperparameter of submission adamw") == true)
    }

    @Test func aFileReplacesTheSubmissionsSpaceInThePlan() throws {
        let path = try Self.temporaryFile(#"""
            {"learning_rate": {"min": 0.5, "max": 0.6, "scaling": "linear"}, "weight_decay": {"feasible_points": [0.25]}}
            """#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spaces = try SearchSpaceOverrides.load(["adamw=\(path)"], submissions: ["adamw", "sgd"])
        let jobs = try TrialPlan.jobs(
            catalog: TrialPlanTests.catalog(), profile: TrialPlanTests.profile(trials: 4, studies: 1, variants: false),
            ruleset: .external, submissionNames: ["adamw", "sgd"], suiteSeed: 0, searchSpaces: spaces)
        let adamw = jobs.filter { $0.request.key.submission == "adamw" }.map(\.request.hyperparameters.values)
        #expect(adamw.count == 4)
        for point in adamw {
            #expect((0.5...0.6).contains(point["learning_rate"] ?? -1))
            #expect(point["weight_decay"] == 0.25)
            #expect(point["beta2"] == AdamW.defaultHyperparameters.values["beta2"])  // outside the file: the default
        }
        let sgd = jobs.filter { $0.request.key.submission == "sgd" }.map(\.request.hyperparameters)
        let ownDraws = try TrialPlan.jobs(
            catalog: TrialPlanTests.catalog(), profile: TrialPlanTests.profile(trials: 4, studies: 1, variants: false),
            ruleset: .external, submissionNames: ["adamw", "sgd"], suiteSeed: 0
        ).filter { $0.request.key.submission == "sgd" }.map(\.request.hyperparameters)
        #expect(sgd == ownDraws)
    }

    @Test func argumentFormsAreChecked() throws {
        let path = try Self.temporaryFile(#"[{"learning_rate": 0.01}]"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SearchSpaceOverrides.load([path], submissions: ["sgd"])["sgd"]?.form == .fixedPoints([Hyperparameters(["learning_rate": 0.01])]))
        #expect(Self.inputError { _ = try SearchSpaceOverrides.load([path], submissions: ["sgd", "adamw"]) }?
            .message.contains("a bare FILE needs exactly one submission") == true)
        #expect(Self.inputError { _ = try SearchSpaceOverrides.load(["lion=\(path)"], submissions: ["sgd"]) }?
            .message.contains("which this run does not include") == true)
        #expect(Self.inputError { _ = try SearchSpaceOverrides.load(["sgd=\(path)", "sgd=\(path)"], submissions: ["sgd"]) }?
            .message.contains("more than one file") == true)
        #expect(Self.inputError { _ = try SearchSpaceOverrides.load(["sgd="], submissions: ["sgd"]) } != nil)
    }
}
