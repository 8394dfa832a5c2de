import Foundation
import Testing
@testable import Results

/// The Swift examples of results/README.md, run as written.
@Suite struct ResultsReadmeTests {
    @Test func scoreTableExampleWritesAndReadsBack() throws {
        let directory = try ResultsFixtures.temporaryDirectory("readme")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/results.h5"
        try TrialFile.write(ResultsFixtures.reachedTrial(), provenance: ResultsFixtures.provenance(), to: path)
        for _ in 0..<2 {  // twice: the example replaces an existing table
            try HDF5File.updateAtomically(at: path) { root in
                let scores = try root.group("scores")
                if try scores.contains("external") { try scores.remove("external") }
                let table = try scores.createGroup("external")
                try table.setAttribute("tau_max", 4.0)
                try table.writeDataset("submission", ["adamw", "nesterov"])
                try table.writeDataset("score", [0.93, 0.71])
            }
        }
        let table = try HDF5File.open(path).root().openGroup("scores").openGroup("external")
        #expect(try table.stringDataset("submission") == ["adamw", "nesterov"])
        #expect(try table.doubleDataset("score") == [0.93, 0.71])
        #expect(try table.doubleAttribute("tau_max") == 4.0)

        // Score tables do not disturb reading the trials.
        let contents = try ResultsFile.read(path)
        let reached = contents.trials.filter { $0.status == .reachedTarget }
        #expect(reached.map(\.key.label) == ["external/adamw/regression/study_0/trial_1"])
        #expect(contents.provenance(of: reached[0].key).host == "node-1")
        #expect(TrialFile.isComplete(at: path))
    }
}
