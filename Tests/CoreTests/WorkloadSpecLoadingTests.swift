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
