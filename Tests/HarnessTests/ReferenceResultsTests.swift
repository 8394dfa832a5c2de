import Foundation
import Results
import Testing
@testable import Harness

/// The committed reference run (`results/reference/quick.h5`, from `make bench` on a clean
/// machine) loads, scores to exactly the table README.md shows, and re-plots.
@Suite struct ReferenceResultsTests {
    static let root = SuiteRunnerTests.repositoryRoot
    static let path = root.appendingPathComponent("results/reference/quick.h5").path

    @Test func referenceResultsScoreToTheReadmeTable() throws {
        let trials = try ResultsFile.read(Self.path).trials
        #expect(!trials.isEmpty)
        let boards = ScoreReport.scoreboards(trials: trials).filter { $0.measure == .time }
        let table = boards.map { $0.formattedTable() }.joined(separator: "\n\n")
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let shown = try #require(ReadmeExampleTests.between(readme, "<!-- reference-scores -->\n```text\n", "\n```"))
        #expect(shown == table)
    }

    @Test func referenceResultsReplot() throws {
        guard Gnuplot.executable != nil else {
            Issue.record("gnuplot is not installed; `make deps` installs it")
            return
        }
        let trials = try ResultsFile.read(Self.path).trials
        let figures = FigureSet.figures(trials: trials, scoreboards: ScoreReport.scoreboards(trials: trials, bootstrapSamples: 50))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-reference-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let images = try FigureSet.render(figures, into: folder)
        #expect(images.contains { $0.hasSuffix("performance_profile_self_time.png") })
        for image in images {
            let size = (try? FileManager.default.attributesOfItem(atPath: image)[.size] as? Int) ?? 0
            #expect(size > 5_000, "\(image)")
        }
        // The committed figures are the ones this data gives.
        let committed = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("plots/reference").path)
        #expect(Set(figures.map { "\($0.name).png" }).isSubset(of: Set(committed)))
    }
}
