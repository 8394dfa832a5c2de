import Core
import Foundation
import Workloads
import Testing
@testable import Harness

@Suite struct ProfileTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func withFile<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-profiles-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func shippedProfilesLoadWithTheirDocumentedShapes() throws {
        let path = Self.repositoryRoot.appendingPathComponent("workloads/profiles.json").path
        let profiles = try Profile.loadAll(contentsOf: path)
        #expect(profiles.map(\.name) == ["bilevel", "full", "quick", "smoke", "standard"])
        let full = try Profile.load(named: "full", contentsOf: path)
        #expect(full.trials == 5 && full.studies == 3 && full.includeVariants)
        let smoke = try Profile.load(named: "smoke", contentsOf: path)
        #expect(smoke.trials == 1 && smoke.studies == 1 && smoke.budgetScale < 1)
        #expect(try Profile.load(named: "quick", contentsOf: path).ruleset == .selfTuning)
        let bilevel = try Profile.load(named: "bilevel", contentsOf: path)
        #expect(bilevel.studies >= 5 && Set(bilevel.workloads) == WorkloadRegistry.bilevelNames)
    }

    @Test func unknownProfileListsTheValidNames() throws {
        let path = Self.repositoryRoot.appendingPathComponent("workloads/profiles.json").path
        do {
            _ = try Profile.load(named: "huge", contentsOf: path)
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.message.contains("huge") && error.message.contains("quick"))
        }
    }

    @Test func malformedProfilesNameTheField() throws {
        let good = #"{"p": {"description": "d", "ruleset": "external", "trials": 2, "studies": 1, "workloads": [], "include_variants": false, "submissions": ["adamw"], "budget_scale": 1}}"#
        #expect(try Self.withFile(good) { try Profile.loadAll(contentsOf: $0) }.count == 1)
        let cases: [(String, String)] = [
            (good.replacingOccurrences(of: "\"trials\": 2", with: "\"trials\": 0"), "p.trials"),
            (good.replacingOccurrences(of: "\"budget_scale\": 1", with: "\"budget_scale\": \"big\""), "p.budget_scale"),
            (good.replacingOccurrences(of: "[\"adamw\"]", with: "[3]"), "p.submissions[0]"),
            (good.replacingOccurrences(of: "\"studies\"", with: "\"study\""), "p.studies"),
            (good.replacingOccurrences(of: "\"external\"", with: "\"internal\""), "p.ruleset"),
        ]
        for (text, field) in cases {
            do {
                _ = try Self.withFile(text) { try Profile.loadAll(contentsOf: $0) }
                Issue.record("expected an error for \(field)")
            } catch let error as InputError {
                #expect(error.field == field || (field == "p.studies" && error.field == "p.study"), "\(error)")
            }
        }
    }
}
