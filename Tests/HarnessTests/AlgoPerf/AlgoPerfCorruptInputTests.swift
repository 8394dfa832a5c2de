import Core
import Foundation
import Results
import Testing
@testable import Harness

/// AlgoPerf folders are hostile input: each bad file or field is an error naming the
/// file, the field and what was expected; nothing crashes or hangs.
@Suite struct AlgoPerfCorruptInputTests {
    static let meta = #"{"rng_seed": 7}"#
    static let csv = "global_step,score,total_duration,validation/mean_average_precision,test/mean_average_precision\n0,0.0,3.5,0.1,0.1\n100,12.5,20,0.29,\n200,30.25,41,nan,0.3\n"

    /// A LOGDIR with one submission `sub`, study_0, `workload`, trial_1 holding `files`,
    /// plus `workloadFiles` in the workload folder; returns LOGDIR.
    static func tree(workload: String = "ogbg_jax", files: [String: String], workloadFiles: [String: String] = [:]) throws -> String {
        let root = try SuiteRunnerTests.temporaryDirectory("algoperf-tree-\(UUID().uuidString)")
        let folder = "\(root)/sub/study_0/\(workload)"
        try FileManager.default.createDirectory(atPath: "\(folder)/trial_1", withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(folder)/trial_1/\(name)")) }
        for (name, text) in workloadFiles { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(folder)/\(name)")) }
        return root
    }

    static func error(_ root: String) -> InputError? {
        defer { try? FileManager.default.removeItem(atPath: root) }
        return SearchSpaceOverridesTests.inputError { _ = try AlgoPerfImport.trials(in: root, ruleset: "external") }
    }

    @Test func csvMeasurementsAreRead() throws {
        let root = try Self.tree(files: ["eval_measurements.csv": Self.csv, "meta_data_0.json": Self.meta, "hparams.json": #"{"learning_rate": 0.5}"#])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let trial = try #require(try AlgoPerfImport.trials(in: root, ruleset: "self").trials.first)
        #expect(trial.key == TrialKey(submission: "sub", workload: "ogbg", ruleset: "self", study: 0, trial: 0))
        #expect(trial.evaluations.map(\.step) == [0, 100, 200] && trial.evaluations.map(\.submissionTime) == [0, 12.5, 30.25])
        #expect(trial.evaluations[2].validationMetric.isNaN && trial.evaluations[1].testMetric.isNaN)
        #expect(trial.evaluations[0].trainLoss.isNaN)  // no train/loss column: NaN, not 0
        #expect(trial.status == .reachedTarget && trial.timeToTarget == 12.5 && trial.stepsToTarget == 100)
        #expect(trial.hyperparameters.values == ["learning_rate": 0.5] && trial.seed == 7)
    }

    @Test func badFilesAreErrorsNamingFileAndField() throws {
        let cases: [(files: [String: String], file: String, field: String?, says: String)] = [
            (["eval_measurements.csv": Self.csv, "meta_data_0.json": "{}"], "meta_data_0.json", "rng_seed", "AlgoPerf's study seed"),
            (["eval_measurements.csv": Self.csv, "meta_data_0.json": #"{"rng_seed": -3}"#], "meta_data_0.json", "rng_seed", "whole number"),
            (["eval_measurements.csv": Self.csv, "meta_data_0.json": "[1"], "meta_data_0.json", nil, "not valid JSON"),
            (["eval_measurements.csv": Self.csv, "meta_data_0.json": Self.meta, "hparams.json": #"{"lr": "fast"}"#], "hparams.json", "lr", "finite number"),
            (["eval_measurements.csv": Self.csv, "meta_data_0.json": Self.meta, "hparams.json": #"{"bad name": 1}"#], "hparams.json", nil, "plain name"),
            (["eval_measurements.csv": "global_step,score\n1,2,3\n", "meta_data_0.json": Self.meta], "eval_measurements.csv", "line 2", "expected 2"),
            (["eval_measurements.csv": "global_step,validation/mean_average_precision\n1,0.5\n", "meta_data_0.json": Self.meta],
             "eval_measurements.csv", "evaluation 0 'score'", "is missing"),
            (["eval_measurements.csv": "global_step,score,validation/mean_average_precision\n1.5,2,0.5\n", "meta_data_0.json": Self.meta],
             "eval_measurements.csv", "evaluation 0 'global_step'", "whole number"),
            (["eval_measurements.csv": "global_step,score,validation/mean_average_precision\n1,-inf,0.5\n", "meta_data_0.json": Self.meta],
             "eval_measurements.csv", "evaluation 0 'score'", "finite"),
            (["eval_measurements.csv": "", "meta_data_0.json": Self.meta], "eval_measurements.csv", nil, "header"),
        ]
        for (files, file, field, says) in cases {
            let error = try #require(Self.error(try Self.tree(files: files)), "no error for \(files)")
            #expect(error.source.hasSuffix(file), "\(error)")
            if let field { #expect(error.field == field, "\(error)") }
            #expect(error.description.contains(says), "\(error)")
        }
    }

    @Test func badLogsAreErrorsNamingTheLine() throws {
        let run = "I0 x.py:1] --- Tuning run 1/1 ---\n"
        let deep = String(repeating: "[", count: 100_000)
        let cases: [(log: String, field: String, says: String)] = [
            (run + "I0 x.py:2] Metrics: {'eval_results': [(1, {'score': 1.0, 'global_step': 1\n", "line 2", "not a Metrics line"),
            (run + "I0 x.py:2] Metrics: {'eval_results': \(deep)}\n", "line 2", "nested deeper"),
            (run + "I0 x.py:2] Metrics: {'global_step': 5}\n", "line 2", "'eval_results'"),
            ("I0 x.py:1] --- Tuning run 99999999999999999999/1 ---\n", "line 1", "tuning run"),
            (run + "I0 x.py:2] Metrics: {'eval_results': [(1, {'score': 1.0, 'global_step': 1, 'validation/mean_average_precision': os.system('x')})]}\n",
             "evaluation 0 'validation/mean_average_precision'", "is missing"),  // a call is data, never run: a string, not a number
        ]
        for (log, field, says) in cases {
            let root = try Self.tree(files: ["meta_data_0.json": Self.meta], workloadFiles: ["ogbg_jax_1.log": log])
            let error = try #require(Self.error(root), "no error for \(log.prefix(80))")
            #expect(error.source.hasSuffix("ogbg_jax_1.log") && error.field == field, "\(error)")
            #expect(error.description.contains(says), "\(error)")
        }
    }

    @Test func logMeasurementsWithJAXArraysAreRead() throws {
        let log = "I0 x.py:1] --- Tuning run 1/1 ---\nI0 x.py:2] Metrics: {'eval_results': [(1, {'score': 2.5, 'global_step': 1, "
            + "'validation/mean_average_precision': Array(0.3, dtype=float32), 'train/loss': DeviceArray(nan, dtype=float32)})], 'global_step': 9}\n"
        let root = try Self.tree(files: ["meta_data_0.json": Self.meta], workloadFiles: ["ogbg_jax_1.log": log])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let row = try #require(try AlgoPerfImport.trials(in: root, ruleset: "external").trials.first?.evaluations.first)
        #expect(row.validationMetric == 0.3 && row.trainLoss.isNaN && row.submissionTime == 2.5)
    }

    @Test func aTuningRunInTwoLogsIsAnError() throws {
        let log = "I0 x.py:1] --- Tuning run 1/1 ---\nI0 x.py:2] Metrics: {'eval_results': [(1, {'score': 2.5, 'global_step': 1, 'validation/mean_average_precision': 0.3})]}\n"
        let root = try Self.tree(files: ["meta_data_0.json": Self.meta], workloadFiles: ["a.log": log, "b.log": log])
        let error = try #require(Self.error(root))
        #expect(error.field == "tuning run 1" && error.source.hasSuffix("b.log"))
    }

    @Test func unknownWorkloadsAreSkippedAndBadNamesRefused() throws {
        let root = try Self.tree(workload: "mnist_jax", files: ["eval_measurements.csv": Self.csv, "meta_data_0.json": Self.meta])
        #expect(Self.error(root)?.message.contains("holds no AlgoPerf trials") == true)
        let named = try SuiteRunnerTests.temporaryDirectory("algoperf-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: named) }
        try FileManager.default.createDirectory(atPath: "\(named)/bad name\u{1b}/study_0", withIntermediateDirectories: true)
        let error = SearchSpaceOverridesTests.inputError { _ = try AlgoPerfImport.trials(in: named, ruleset: "external") }
        #expect(error?.field == "submission folder name" && error?.description.contains("\u{1b}") == false)
    }

    @Test func pythonLiteralsParseWithoutEvaluation() throws {
        #expect(try PythonLiteral.parse("{'a': (1, [2.5e-3, -inf, nan]), \"b\": None, 'c': True}") == .dict([
            ("a", .list([.number(1), .list([.number(2.5e-3), .number(-.infinity), .number(.nan)])])), ("b", .none), ("c", .number(1)),
        ]))
        #expect(try PythonLiteral.parse("Array(0.5, dtype=float32)") == .number(0.5))
        #expect(throws: PythonLiteral.Failure.self) { try PythonLiteral.parse("{'a': 1} trailing") }
        #expect(try PythonLiteral.parse("__import__('os')") == .string("os"))  // data only: a call's first argument
        #expect(throws: PythonLiteral.Failure.self) { try PythonLiteral.parse("f()") }
    }
}
