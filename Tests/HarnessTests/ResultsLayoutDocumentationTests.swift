import Foundation
import Results
import Testing
@testable import Harness

/// results/README.md's layout block describes what a scored results file really holds.
@Suite struct ResultsLayoutDocumentationTests {
    /// The names listed after `attrs:` / `datasets:` for each documented path, read from the
    /// README's first code block.
    static func documented() throws -> [String: [String]] {
        let readme = try String(
            contentsOf: SuiteRunnerTests.repositoryRoot.appendingPathComponent("results/README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "```\n").dropFirst().first)
        var result: [String: [String]] = [:]
        var current = ""
        var kind = "attrs"
        for line in block.split(separator: "\n").map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            var rest = trimmed
            if line.hasPrefix("/") || line.hasPrefix("    ") && !line.hasPrefix("        "), let first = trimmed.split(separator: " ").first {
                current = String(first)
                rest = String(trimmed.dropFirst(first.count)).trimmingCharacters(in: .whitespaces)
            }
            for marker in ["attrs:", "datasets:"] where rest.hasPrefix(marker) {
                kind = String(marker.dropLast())
                rest = String(rest.dropFirst(marker.count))
            }
            if let parenthesis = rest.firstIndex(of: "(") { rest = String(rest[..<parenthesis]) }
            let names = rest.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && $0.allSatisfy { $0.isLowercase || $0 == "_" } }
            result["\(current) \(kind)", default: []] += names
        }
        return result
    }

    @Test func aScoredResultsFileHasExactlyTheDocumentedNames() throws {
        let documented = try Self.documented()
        let trials = FigureSetTests.trials()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-layout-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/run.h5"
        try ResultsFile.write(try ResultsContents(provenance: ProvenanceCollector.current(), trials: trials), to: path)
        _ = try ScoreReport.scoreAndStore(contents: try ResultsFile.read(path), in: path, bootstrapSamples: 20)

        let root = try HDF5File.open(path).root()
        #expect(Set(try root.attributeNames()) == Set(documented["/ attrs"] ?? []))
        let workload = try root.openGroup("workloads").openGroup("regression")
        #expect(Set(try workload.attributeNames()) == Set(documented["/workloads/<workload> attrs"] ?? []))
        let trial = try ["trials", "external", "adamw", "regression", "study_0", "trial_0"].reduce(root) { try $0.openGroup($1) }
        #expect(Set(try trial.attributeNames()) == Set(documented["/trials/<ruleset>/<submission>/<workload>/study_<k>/trial_<i> attrs"] ?? []))
        #expect(Set(try trial.openGroup("train_loss").childNames()) == Set(documented["train_loss/ attrs"] ?? []))
        #expect(try trial.openGroup("evals").childNames().count == 10)
        let scores = try ["scores", "external", "time"].reduce(root) { try $0.openGroup($1) }
        #expect(Set(try scores.attributeNames()) == Set(documented["/scores/<ruleset>/<measure> attrs"] ?? []))
        #expect(Set(try scores.childNames()) == Set(documented["/scores/<ruleset>/<measure> datasets"] ?? []))
    }
}
