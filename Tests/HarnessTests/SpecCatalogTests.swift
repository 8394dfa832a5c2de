import Core
import Foundation
import Testing
@testable import Harness

@Suite struct SpecCatalogTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A copy of the shipped spec folder, changed by `edit`, loaded as a catalog.
    static func catalogError(_ edit: (String) throws -> Void) throws -> InputError? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-catalog-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: repositoryRoot.appendingPathComponent("workloads").path, toPath: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try edit(folder)
        do {
            _ = try SpecCatalog(directory: folder)
            return nil
        } catch {
            return error as? InputError
        }
    }

    static func replace(_ old: String, with new: String, in path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(old))
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func shippedSpecsHaveUniqueNames() throws {
        #expect(try Self.catalogError { _ in } == nil)
    }

    @Test func aVariantNamedLikeAnotherSpecIsRejected() throws {
        let error = try Self.catalogError { folder in
            try Self.replace(#""name": "regression_mlp""#, with: #""name": "cnn""#, in: folder + "/regression.json")
        }
        #expect(error?.source.hasSuffix("/regression.json") == true, "\(String(describing: error))")
        #expect(error?.field?.hasPrefix("variants[") == true && error?.field?.hasSuffix("].name") == true)
        #expect(error?.message.hasPrefix(#"duplicates the name "cnn" of "#) == true && error?.message.hasSuffix("/cnn.json") == true)
    }

    @Test func aVariantStepHintOf1e300IsAnErrorNotATrap() throws {
        let error = try Self.catalogError { folder in
            let path = folder + "/cnn.json"
            guard case .object(var spec) = try JSONValue.load(contentsOf: path), case .array(var variants) = spec["variants"],
                  case .object(var first) = variants.first
            else { throw InputError(source: path, field: "variants", message: "unexpected shape") }
            first["step_hint"] = .number(1e300)
            variants[0] = .object(first)
            spec["variants"] = .array(variants)
            try JSONValue.object(spec).formatted().write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(error?.source.hasSuffix("/cnn.json") == true)
        #expect(error?.field == "variants[0].step_hint" && error?.message == "must be an integer in 1...2147483647, found 1e+300")
    }

    @Test func unknownWorkloadNamesAreShownEscaped() throws {
        let catalog = try SpecCatalog(directory: Self.repositoryRoot.appendingPathComponent("workloads").path)
        #expect(throws: InputError.self) { try catalog.spec(named: "a\nb") }
        do {
            _ = try catalog.spec(named: "a\nb")
        } catch let error as InputError {
            #expect(error.message.hasPrefix(#"unknown workload "a\nb" (valid: "#))
        }
    }
}
