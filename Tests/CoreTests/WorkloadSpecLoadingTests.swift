import Core
import Foundation
import Testing

@Suite struct WorkloadSpecLoadingTests {
    static let base = """
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

    /// Writes `text` as `<name>.json` in a fresh folder and loads it.
    static func load(_ text: String, name: String = "toy") throws -> WorkloadSpec {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("\(name).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try WorkloadSpec.load(contentsOf: path)
    }

    static func error(_ text: String) -> InputError? {
        do {
            _ = try load(text)
            return nil
        } catch let error as InputError {
            return error
        } catch {
            return nil
        }
    }

    @Test func baseAndVariantResolve() throws {
        let spec = try Self.load(Self.base)
        #expect(spec.name == "toy")
        #expect(spec.settings == ["dimension": .number(8), "noise": .number(0.5)])
        #expect(spec.defaultBatchSize == 16 && spec.stepHint == 100 && spec.provisional)
        #expect(spec.direction == .minimize && spec.lossType == .meanSquaredError)
        let variant = try #require(spec.variants.first)
        #expect(variant.name == "toy_wide" && variant.variantOf == "toy" && variant.baseName == "toy")
        #expect(variant.settings == ["dimension": .number(32), "noise": .number(0.5)])
        #expect(variant.validationTarget == 0.4 && variant.stepHint == 300 && variant.maxRuntimeSeconds == 2)
        #expect(spec.budget(scale: 1.5) == Budget(maxRuntimeSeconds: 3, stepHint: 100))
        #expect(spec.searchBudget(scale: 1.5) == Budget(maxRuntimeSeconds: 3, stepHint: 150))
        #expect(spec.searchBudget(scale: 0.5) == Budget(maxRuntimeSeconds: 1, stepHint: 50))
    }

    @Test func errorsNameFileAndField() throws {
        let unknown = Self.error(Self.base.replacingOccurrences(of: "\"metric\"", with: "\"metrics\""))
        #expect(unknown?.field == "metric" || unknown?.field == "metrics")
        #expect(unknown?.source.hasSuffix("toy.json") == true)
        #expect(Self.error(Self.base.replacingOccurrences(of: "\"step_hint\": 100", with: "\"step_hint\": \"many\""))?.field == "step_hint")
        #expect(Self.error(Self.base.replacingOccurrences(of: "\"minimize\"", with: "\"down\""))?.field == "direction")
        #expect(Self.error(Self.base.replacingOccurrences(of: "{\"dimension\": 32}", with: "{\"depth\": 3}"))?.field == "variants[0].settings.depth")
        #expect(Self.error(Self.base.replacingOccurrences(of: "\"max_runtime_s\": 2", with: "\"max_runtime_s\": -2"))?.field == "max_runtime_s")
        #expect(Self.error(Self.base.replacingOccurrences(of: "\"toy_wide\"", with: "\"toy\""))?.field == "variants[0].name")
    }

    static let calibrationBlock = """
    "calibration": {"best_submission": "adamw", "tuning_trials": 4, "reruns": 5, "budget_scale": 1.5,
                    "date": "2026-12-03T09:00:00Z", "procedure": "free text", "machine": {"cpu": "Some CPU", "cores": 2}}
    """

    @Test func calibrationBlocksAreReadForBaseAndVariantAlone() throws {
        let calibrated = Self.base.replacingOccurrences(of: "\"provisional\": true,", with: "\"provisional\": false, \(Self.calibrationBlock),")
        let spec = try Self.load(calibrated)
        #expect(spec.calibration == CalibrationRecord(
            bestSubmission: "adamw", tuningTrials: 4, reruns: 5, budgetScale: 1.5, date: "2026-12-03T09:00:00Z", cpu: "Some CPU"))
        // A variant has its own record or none; it never inherits the base's.
        #expect(spec.variants.first?.calibration == nil)
        #expect(try Self.load(Self.base).calibration == nil)
        let missing = Self.error(calibrated.replacingOccurrences(of: "\"best_submission\": \"adamw\", ", with: ""))
        #expect(missing?.field == "calibration.best_submission")
        let mistyped = Self.error(calibrated.replacingOccurrences(of: "\"cpu\": \"Some CPU\"", with: "\"cpu\": 7"))
        #expect(mistyped?.field == "calibration.machine.cpu")
    }

    /// The base spec with one variant field replaced (`"step_hint": 300` by default).
    static func variant(_ replacement: String, of original: String = "\"step_hint\": 300") -> String {
        base.replacingOccurrences(of: original, with: replacement)
    }

    /// Asserts that `text` is rejected with an error naming the spec file and `field`, and
    /// returns the error's text.
    @discardableResult
    static func expectRejected(_ text: String, field: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard let error = error(text) else {
            Issue.record("expected an error for \(field)", sourceLocation: sourceLocation)
            return ""
        }
        #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
        #expect(error.source.hasSuffix("toy.json"), sourceLocation: sourceLocation)
        #expect(error.description.contains("toy.json: field '\(field)'"), "\(error)", sourceLocation: sourceLocation)
        return error.description
    }

    @Test func variantNumbersAreRangeCheckedBeforeConversion() {
        let stepHint = Self.expectRejected(Self.variant("\"step_hint\": 1e300"), field: "variants[0].step_hint")
        #expect(stepHint.hasSuffix("must be an integer in 1...2147483647, found 1e+300"))
        Self.expectRejected(Self.variant("\"step_hint\": 2147483648"), field: "variants[0].step_hint")
        Self.expectRejected(Self.variant("\"step_hint\": 0"), field: "variants[0].step_hint")
        Self.expectRejected(Self.variant("\"step_hint\": 2.5"), field: "variants[0].step_hint")
        let batch = Self.expectRejected(Self.variant("\"default_batch_size\": 1e300"), field: "variants[0].default_batch_size")
        #expect(batch.hasSuffix("must be an integer in 1...1000000, found 1e+300"))
        Self.expectRejected(Self.variant("\"default_batch_size\": -4"), field: "variants[0].default_batch_size")
        Self.expectRejected(Self.variant("\"max_runtime_s\": 1e300"), field: "variants[0].max_runtime_s")
        Self.expectRejected(Self.variant("\"max_runtime_s\": 0"), field: "variants[0].max_runtime_s")
        Self.expectRejected(Self.variant("\"eval_period_s\": -1"), field: "variants[0].eval_period_s")
        Self.expectRejected(Self.variant("\"eval_period_s\": 10000001"), field: "variants[0].eval_period_s")
        Self.expectRejected(Self.variant("\"validation_target\": \"high\"", of: "\"validation_target\": 0.4"), field: "variants[0].validation_target")
    }

    @Test func baseNumbersHaveTheSameBounds() {
        Self.expectRejected(Self.base.replacingOccurrences(of: "\"step_hint\": 100", with: "\"step_hint\": 1e300"), field: "step_hint")
        Self.expectRejected(
            Self.base.replacingOccurrences(of: "\"default_batch_size\": 16", with: "\"default_batch_size\": 1000001"), field: "default_batch_size")
        let runtime = Self.expectRejected(
            Self.base.replacingOccurrences(of: "\"max_runtime_s\": 2", with: "\"max_runtime_s\": 1e8"), field: "max_runtime_s")
        #expect(runtime.hasSuffix("must be a positive number at most 10000000.0, found 100000000.0"))
        Self.expectRejected(Self.base.replacingOccurrences(of: "\"eval_period_s\": 0.5", with: "\"eval_period_s\": 0"), field: "eval_period_s")
        // 1e400 overflows a Double: rejected by the JSON reader or the finite check, never accepted as infinity.
        #expect(Self.error(Self.base.replacingOccurrences(of: "\"validation_target\": 0.3", with: "\"validation_target\": 1e400"))?.source.hasSuffix("toy.json") == true)
    }

    @Test func everyNameFollowsThePlainNameRule() {
        for bad in ["a/b", "../x", "", "x\"y", "a\nb", "$(id)", "a`id`", "a b", String(repeating: "v", count: 65)] {
            let text = Self.expectRejected(Self.variant(JSONValue.string(bad).serialized, of: "\"toy_wide\""), field: "variants[0].name")
            #expect(text.contains("must be a plain name"), "\(text)")
        }
        let metric = Self.expectRejected(Self.base.replacingOccurrences(of: "\"mse\"", with: "\"m\\nse\""), field: "metric")
        #expect(metric.hasSuffix(#"found "m\nse""#) && !metric.contains("\n"))
        Self.expectRejected(Self.base.replacingOccurrences(of: "\"name\": \"toy\"", with: "\"name\": \"../toy\""), field: "name")
    }

    @Test func foldersAndMissingFilesAreNamedWithAReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-specs-\(UUID().uuidString)").path
        #expect(Self.inputError { _ = try WorkloadSpec.loadAll(directory: folder) }?.description == "\(folder): no such folder")
        try FileManager.default.createDirectory(atPath: folder + "/toy.json", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(Self.inputError { _ = try WorkloadSpec.loadAll(directory: folder) }?.description == "\(folder)/toy.json: is a folder, not a file")
        #expect(Self.inputError { _ = try WorkloadSpec.loadAll(directory: folder + "/toy.json/x") }?.description == "\(folder)/toy.json/x: no such folder")
    }

    static func inputError(_ body: () throws -> Void) -> InputError? {
        do {
            try body()
            return nil
        } catch {
            return error as? InputError
        }
    }

    @Test func fileNameMustMatchTheSpecName() {
        #expect(throws: InputError.self) { try Self.load(Self.base, name: "other") }
    }

    @Test func settingsReaderRejectsUnreadSettings() throws {
        let spec = try Self.load(Self.base)
        var reader = try spec.settingsReader()
        #expect(try reader.integer("dimension") == 8)
        #expect(throws: InputError.self) { try reader.finish() }
        #expect(try reader.number("noise") == 0.5)
        try reader.finish()
    }
}

extension WorkloadSpecLoadingTests {
    /// Reference data named in settings resolves against the spec file's folder unless absolute.
    @Test func settingsPathsResolveAgainstTheSpecFolder() {
        let spec = WorkloadSpec(
            name: "w", settings: [:], defaultBatchSize: 1, lossType: .custom, metric: "m", direction: .minimize,
            validationTarget: 0, testTarget: 0, maxRuntimeSeconds: 1, evalPeriodSeconds: 1, stepHint: 1, provisional: true,
            source: "/data/workloads/w.json")
        #expect(spec.resolvedPath("references/r.json") == "/data/workloads/references/r.json")
        #expect(spec.resolvedPath("/elsewhere/r.json") == "/elsewhere/r.json")
    }
}
