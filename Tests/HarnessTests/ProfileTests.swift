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
        #expect(profiles.map(\.name) == ["bilevel", "full", "quick", "smoke", "stable", "standard"])
        let full = try Profile.load(named: "full", contentsOf: path)
        #expect(full.trials == 5 && full.studies == 3 && full.includeVariants)
        let smoke = try Profile.load(named: "smoke", contentsOf: path)
        #expect(smoke.trials == 1 && smoke.studies == 1 && smoke.budgetScale < 1)
        let quick = try Profile.load(named: "quick", contentsOf: path)
        #expect(quick.ruleset == .selfTuning && quick.studies == 1)
        // stable is quick with three studies, so that its intervals have something to resample.
        var stable = try Profile.load(named: "stable", contentsOf: path)
        #expect(stable.studies == 3)
        stable.studies = 1
        stable.name = quick.name
        stable.description = quick.description
        #expect(stable == quick)
        let bilevel = try Profile.load(named: "bilevel", contentsOf: path)
        #expect(bilevel.studies >= 5 && Set(bilevel.workloads) == WorkloadRegistry.bilevelNames)
    }

    /// The real-data workloads run in standard and full (every base workload) but not in
    /// quick, which names the synthetic ones.
    @Test func realDataWorkloadsAreInStandardAndFullButNotQuick() throws {
        let path = Self.repositoryRoot.appendingPathComponent("workloads/profiles.json").path
        let quick = try Profile.load(named: "quick", contentsOf: path)
        #expect(!quick.workloads.isEmpty && quick.workloads.allSatisfy(WorkloadRegistry.names.contains))
        #expect(!quick.workloads.contains("fashion_mnist") && !quick.workloads.contains("kjv"))
        for name in ["standard", "full"] {
            #expect(try Profile.load(named: name, contentsOf: path).workloads.isEmpty, "\(name) names no workloads: every base workload")
        }
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

    static let good = #"{"p": {"description": "d", "ruleset": "external", "trials": 2, "studies": 1, "workloads": ["regression"], "include_variants": false, "submissions": ["adamw"], "budget_scale": 1}}"#

    /// The error loading `text` raises, if an `InputError`.
    static func error(_ text: String) -> InputError? {
        do {
            _ = try withFile(text) { try Profile.loadAll(contentsOf: $0) }
            return nil
        } catch {
            return error as? InputError
        }
    }

    @Test func namesInProfilesFollowThePlainNameRule() throws {
        for bad in ["", "a/b", "../x", "x\"y", "a`id`", "$(id)", "a\nb", String(repeating: "w", count: 65)] {
            let json = JSONValue.string(bad).serialized
            let workloads = Self.error(Self.good.replacingOccurrences(of: #"["regression"]"#, with: "[\"regression\", \(json)]"))
            #expect(workloads?.field == "p.workloads[1]" && workloads?.message.contains("must be a plain name") == true, "\(String(describing: workloads))")
            #expect(workloads?.source.hasSuffix(".json") == true)
            let submissions = Self.error(Self.good.replacingOccurrences(of: #"["adamw"]"#, with: "[\(json)]"))
            #expect(submissions?.field == "p.submissions[0]", "\(String(describing: submissions))")
            let profile = Self.error(Self.good.replacingOccurrences(of: #"{"p":"#, with: "{\(json):"))
            #expect(profile?.field == Profile.nameField && profile?.message.hasSuffix("found \(PlainName.escaped(bad))") == true,
                    "\(String(describing: profile))")
        }
    }

    @Test func duplicateNamesInAProfileAreRejected() {
        let workloads = Self.error(Self.good.replacingOccurrences(of: #"["regression"]"#, with: #"["regression", "cnn", "regression"]"#))
        #expect(workloads?.field == "p.workloads[2]" && workloads?.message == #"duplicates the name "regression""#)
        let submissions = Self.error(Self.good.replacingOccurrences(of: #"["adamw"]"#, with: #"["adamw", "adamw"]"#))
        #expect(submissions?.field == "p.submissions[1]")
    }

    @Test func profileNumbersAreRangeCheckedBeforeConversion() {
        let cases: [(String, String, String)] = [
            ("\"trials\": 2", "\"trials\": 1e300", "p.trials"),
            ("\"trials\": 2", "\"trials\": -1", "p.trials"),
            ("\"studies\": 1", "\"studies\": 1001", "p.studies"),
            ("\"studies\": 1", "\"studies\": 1.5", "p.studies"),
            ("\"budget_scale\": 1", "\"budget_scale\": 1e300", "p.budget_scale"),
            ("\"budget_scale\": 1", "\"budget_scale\": 0", "p.budget_scale"),
        ]
        for (original, replacement, field) in cases {
            let error = Self.error(Self.good.replacingOccurrences(of: original, with: replacement))
            #expect(error?.field == field, "\(replacement): \(String(describing: error))")
        }
        #expect(Self.error(Self.good.replacingOccurrences(of: "\"budget_scale\": 1", with: "\"budget_scale\": 1e300"))?.message
            == "must be a positive number at most 1000.0, found 1e+300")
    }

    @Test func aDescriptionIsOneLine() {
        let error = Self.error(Self.good.replacingOccurrences(of: #""d""#, with: #""first\nsecond""#))
        #expect(error?.field == "p.description" && error?.message.hasSuffix(#"found "first\nsecond""#) == true)
    }

    @Test func aMissingOrFolderProfilesFileNamesThePath() throws {
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: InputError(source: folder, field: nil, message: "is a folder, not a file")) { try Profile.loadAll(contentsOf: folder) }
        let missing = folder + "/optbench-none-\(UUID().uuidString).json"
        #expect(throws: InputError(source: missing, field: nil, message: "no such file")) { try Profile.load(named: "quick", contentsOf: missing) }
    }

    @Test func unknownNamesAreShownEscaped() throws {
        let path = Self.repositoryRoot.appendingPathComponent("workloads/profiles.json").path
        do {
            _ = try Profile.load(named: "q\nuick", contentsOf: path)
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.message.hasPrefix(#"unknown profile "q\nuick" (valid: bilevel, full"#) && !error.description.contains("\n"))
        }
        #expect(RulesetError(name: "x\ny").description == #"unknown ruleset "x\ny" (valid: external, self)"#)
    }
}
