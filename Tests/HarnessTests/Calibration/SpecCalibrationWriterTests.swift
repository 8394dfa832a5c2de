import Core
import Foundation
import Testing
@testable import Harness

@Suite struct SpecCalibrationWriterTests {
    static let spec = """
    {
      "name": "toy", "provisional": true,
      "settings": {"dimension": 8, "noise": 0.5},
      "default_batch_size": 16, "loss_type": "mean_squared_error", "metric": "mse", "direction": "minimize",
      "validation_target": 0.3, "test_target": 0.31, "max_runtime_s": 2, "eval_period_s": 0.5, "step_hint": 100,
      "variants": [
        {"name": "toy_wide", "settings": {"dimension": 32}, "validation_target": 0.4, "test_target": 0.41, "step_hint": 300}
      ]
    }
    """

    static let numbers = CalibrationProcedure.Numbers(
        validationTarget: 0.25, testTarget: 0.26, maxRuntimeSeconds: 3.5, evalPeriodSeconds: 0.2, stepHint: 700, reruns: 5, reached: 4)

    /// The fields `CalibrationRecord` reads, as `optbench calibrate --write` records them.
    static let record: JSONValue = .object([
        "best_submission": .string("adamw"), "tuning_trials": .number(4), "reruns": .number(5), "budget_scale": .number(1.5),
        "date": .string("2026-12-03T09:00:00Z"), "machine": .object(["cpu": .string("Some CPU")]),
    ])

    /// Runs `body` on a fresh copy of `spec` in its own temporary folder (removed after).
    static func withSpecFile(_ body: (_ folder: URL, _ path: String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-calibrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("toy.json").path
        try Data(spec.utf8).write(to: URL(fileURLWithPath: path))
        try body(folder, path)
    }

    @Test func numbersAndProvenanceAreWrittenBackAndTheSpecStillLoads() throws {
        try Self.withSpecFile { (folder: URL, path: String) throws in
            try SpecCalibrationWriter.apply(
                ["toy_wide": Self.numbers], records: ["toy_wide": Self.record], toSpecAt: path)
            let spec = try WorkloadSpec.load(contentsOf: path)
            #expect(spec.provisional && spec.validationTarget == 0.3)  // the base was not calibrated
            let variant = try #require(spec.variants.first)
            #expect(!variant.provisional)
            #expect(variant.validationTarget == 0.25 && variant.testTarget == 0.26)
            #expect(variant.maxRuntimeSeconds == 3.5 && variant.evalPeriodSeconds == 0.2 && variant.stepHint == 700)
            #expect(variant.settings == ["dimension": .number(32), "noise": .number(0.5)])
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("\"reruns\": 5"))
            #expect(variant.calibration?.bestSubmission == "adamw" && spec.calibration == nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["toy.json"])
        }
    }

    @Test func anUncalibratedVariantKeepsTheBudgetItsTargetsWereSetFor() throws {
        try Self.withSpecFile { (_: URL, path: String) throws in
            try SpecCalibrationWriter.apply(["toy": Self.numbers], records: [:], toSpecAt: path)
            let spec = try WorkloadSpec.load(contentsOf: path)
            #expect(!spec.provisional && spec.maxRuntimeSeconds == 3.5 && spec.stepHint == 700)
            let variant = try #require(spec.variants.first)
            // Still provisional, with the base's old budget and period, and its own step hint.
            #expect(variant.provisional && variant.validationTarget == 0.4)
            #expect(variant.maxRuntimeSeconds == 2 && variant.evalPeriodSeconds == 0.5 && variant.stepHint == 300)
        }
    }

    @Test func aWriteThatWouldBreakTheSpecLeavesTheFileUntouched() throws {
        try Self.withSpecFile { (folder: URL, path: String) throws in
            let broken = CalibrationProcedure.Numbers(
                validationTarget: 0.25, testTarget: 0.26, maxRuntimeSeconds: -1, evalPeriodSeconds: 0.2, stepHint: 7, reruns: 1, reached: 1)
            #expect(throws: InputError.self) { try SpecCalibrationWriter.apply(["toy": broken], records: [:], toSpecAt: path) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.spec)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["toy.json"])
        }
    }
}
