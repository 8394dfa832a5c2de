import Foundation
import Results
import Testing
@testable import Harness

/// The committed reference runs (`results/reference/quick-{1,2,3}.h5`: `make bench` three
/// times at one commit on one machine, each from a clean results folder) load, score to
/// exactly the tables README.md shows, spread as its stability table says, and the first
/// re-plots to the committed figures.
@Suite struct ReferenceResultsTests {
    static let root = SuiteRunnerTests.repositoryRoot
    static let runs = (1...3).map { root.appendingPathComponent("results/reference/quick-\($0).h5").path }

    static func readme() throws -> String {
        try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    }

    static func timeBoard(_ path: String) throws -> Scoreboard {
        let trials = try ResultsFile.read(path).trials
        #expect(!trials.isEmpty)
        return try #require(ScoreReport.scoreboards(trials: trials).first { $0.measure == .time })
    }

    @Test(arguments: 1...3) func referenceRunScoresToItsReadmeTable(run: Int) throws {
        let table = try Self.timeBoard(Self.runs[run - 1]).formattedTable()
        let shown = try #require(ReadmeExampleTests.between(try Self.readme(), "<!-- reference-scores-\(run) -->\n```text\n", "\n```"))
        #expect(shown == table)
    }

    @Test func referenceRunsSpreadAsTheReadmeSays() throws {
        let spread = try ScoreSpread(runs: try Self.runs.map(Self.timeBoard), labels: Self.runs)
        let shown = try #require(ReadmeExampleTests.between(try Self.readme(), "<!-- reference-spread -->\n```text\n", "\n```"))
        #expect(shown == spread.formattedTable())
    }

    @Test func referenceResultsReplot() throws {
        guard Gnuplot.executable != nil else {
            Issue.record("gnuplot is not installed; `make deps` installs it")
            return
        }
        let trials = try ResultsFile.read(Self.runs[0]).trials
        let figures = FigureSet.figures(trials: trials, scoreboards: ScoreReport.scoreboards(trials: trials, bootstrapSamples: 50))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-reference-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let images = try FigureSet.render(figures, into: folder)
        #expect(images.contains { $0.hasSuffix("performance_profile_self_time.png") })
        for image in images {
            let size = (try? FileManager.default.attributesOfItem(atPath: image)[.size] as? Int) ?? 0
            #expect(size > 5_000, "\(image)")
        }
        // The committed figures are exactly the ones this data gives.
        let committed = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("plots/reference").path)
        #expect(Set(figures.map { "\($0.name).png" }) == Set(committed.filter { $0.hasSuffix(".png") }))
    }
}
