import CHDF5
import Core
import Foundation
@testable import Results
import Testing
@testable import Harness

/// Names are data, never code: a results file whose every name is an attack on the
/// gnuplot script, the figure paths or a shell is refused by the reader, and figures
/// built from such names in memory still render without running anything.
@Suite(.serialized) struct HostileNamesTests {
    typealias F = ScoringFixtures

    /// Each tries to end a gnuplot string (or a path) and create a file named PWNED in
    /// gnuplot's or the command's working directory.
    static let hostileNames = [
        "x';system 'touch PWNED';a='",
        "x'\nsystem 'touch PWNED'\na='",
        "`touch PWNED`",
        "$(touch PWNED)",
        "../../PWNED",
        "x\";system \"touch PWNED\";a=\"",
    ]

    /// Paths of files named PWNED anywhere under `directory`.
    static func markers(under directory: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return all.filter { ($0 as NSString).lastPathComponent.hasPrefix("PWNED") }
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-hostile-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func figuresBuiltFromHostileNamesRenderWithoutRunningAnything() throws {
        guard Gnuplot.executable != nil else { return }  // make deps installs gnuplot; without it nothing runs anyway
        let directory = try Self.temporaryDirectory("memory")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = Self.hostileNames
        var trials: [TrialRecord] = []
        for (index, name) in names.enumerated() {
            let workload = F.workload(name, target: 0.5)
            var trial = F.trial(name, workload, trial: index, ruleset: name, evals: [(1, 2), (2, 0.4)])
            trial.hyperparameters = Hyperparameters([name: Double(index + 1), "learning_rate": 0.1 * Double(index + 1)])
            trials.append(trial)
        }
        let figures = FigureSet.figures(trials: trials, scoreboards: ScoreReport.scoreboards(trials: trials, bootstrapSamples: 10))
        #expect(figures.count >= 8)
        let output = directory + "/figures"
        try FigureSet.render(figures, into: output)
        #expect(Self.markers(under: directory).isEmpty)
        #expect(Self.markers(under: FileManager.default.temporaryDirectory.path).isEmpty)
        // Every file landed inside the figure folder, none elsewhere in the test folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["figures"])
        let written = try FileManager.default.contentsOfDirectory(atPath: output)
        #expect(written.allSatisfy { !$0.hasPrefix(".") && !$0.contains("/") })
        #expect(written.filter { $0.hasSuffix(".png") }.count == figures.count)
    }

    @Test func aResultsFileWithHostileGroupNamesIsRefusedByPlotWithoutRunningAnything() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try Self.temporaryDirectory("file")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/hostile.h5"
        let trial = F.trial("adamw", F.workload("regression", target: 0.5), evals: [(1, 2), (2, 0.4)])
        try ResultsFile.write(try ResultsContents(provenance: ProvenanceCollector.current(), trials: [trial]), to: path)
        // Rename every group on the trial's path, and the workload's, to a hostile name:
        // what a crafted file holds (the writer itself refuses such names).
        let hostile = Self.hostileNames[0]
        try HDF5File.updateAtomically(at: path) { root in
            let trials = try root.openGroup("trials")
            #expect(H5Lmove(trials.id, "external", trials.id, hostile, HDF5Library.defaultProperties, HDF5Library.defaultProperties) >= 0)
            let submissions = try trials.openGroup(hostile)
            #expect(H5Lmove(submissions.id, "adamw", submissions.id, hostile, HDF5Library.defaultProperties, HDF5Library.defaultProperties) >= 0)
            let workloads = try root.openGroup("workloads")
            #expect(H5Lmove(workloads.id, "regression", workloads.id, hostile, HDF5Library.defaultProperties, HDF5Library.defaultProperties) >= 0)
        }
        for command in [["plot", path, "--output", directory + "/plots"], ["show", path], ["score", path]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = command
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus != 0, "\(command[0]): \(text)")
            #expect(text.contains(path) && text.contains("is not a plain name"), "\(command[0]): \(text)")
            #expect(!text.contains("\n;system"), "a hostile name must be printed escaped: \(text)")
            #expect(Self.markers(under: directory).isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/plots"))
    }

    @Test func quotingLeavesNoWayOutOfAGnuplotString() {
        #expect(Gnuplot.quoted("it's") == "'it''s'")
        #expect(Gnuplot.quoted("a\nb\rc\u{0}d\u{85}e") == "'a b c d e'")
        #expect(Gnuplot.quoted("`id` $(id) @x \\") == "'`id` $(id) @x \\'")
        #expect(Gnuplot.fileStem("curves_adamw") == "curves_adamw")
        #expect(Gnuplot.fileStem("curves_../../x y").hasPrefix("curves_.._.._x_y_"))
        #expect(Gnuplot.fileStem("a b") != Gnuplot.fileStem("a\tb"))
        #expect(Gnuplot.fileStem("..").hasPrefix("_.._"))
        #expect(Gnuplot.fileStem("-rf").hasPrefix("_-rf_"))
        #expect(DataTable.comment("a\n1 2 3") == "a 1 2 3")
    }
}
