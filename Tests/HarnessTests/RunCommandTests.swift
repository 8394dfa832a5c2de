import Foundation
import Results
import Testing
@testable import Harness

/// `optbench run` end to end through the real executable: a run killed part-way and
/// started again loses no trial and duplicates none, then scores and plots.
@Suite(.serialized) struct RunCommandTests {
    static let repositoryRoot = SuiteRunnerTests.repositoryRoot

    static func arguments(_ directory: String) -> [String] {
        [
            "run", "--profile", "smoke", "--workloads", "regression,maxcut", "--submissions", "adamw,sgd,nesterov,lion",
            "--jobs", "1", "--workloads-dir", SuiteRunnerTests.workloadsDirectory,
            "--results-dir", directory + "/results", "--plots-dir", directory + "/plots", "--run", "resume",
        ]
    }

    static func start(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    @Test func killedRunResumesWithoutLosingOrDuplicatingTrials() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try SuiteRunnerTests.temporaryDirectory("run-resume")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trials = directory + "/results/runs/resume/trials"

        // First run: kill it (SIGKILL, no chance to clean up) once a trial file is complete.
        let first = try Self.start(executable, Self.arguments(directory), log: directory + "/first.log")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, ResultsFile.trialFiles(under: trials).filter(TrialFile.isComplete).isEmpty {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let completeBefore = ResultsFile.trialFiles(under: trials).filter(TrialFile.isComplete)
        #expect(!completeBefore.isEmpty && completeBefore.count < 8, "the first run should stop part-way")
        #expect(!FileManager.default.fileExists(atPath: directory + "/results/resume.h5"))
        Thread.sleep(forTimeInterval: 3)  // let an orphaned trial process in flight finish or die

        // Second run: the same command finishes the suite.
        let second = try Self.start(executable, Self.arguments(directory), log: directory + "/second.log")
        second.waitUntilExit()
        let log = (try? String(contentsOfFile: directory + "/second.log", encoding: .utf8)) ?? ""
        #expect(second.terminationStatus == 0, "\(log)")
        #expect(log.contains("already complete"))

        let merged = try ResultsFile.read(directory + "/results/resume.h5")
        #expect(merged.trials.count == 8)
        #expect(Set(merged.trials.map(\.key)).count == 8)
        #expect(merged.trials.allSatisfy { $0.status != .crashed && $0.status != .error })
        #expect(Set(merged.trials.map(\.key.workload)) == ["regression", "maxcut"])
        let figures = try FileManager.default.contentsOfDirectory(atPath: directory + "/plots/resume")
        #expect(figures.contains("performance_profile_external_time.png"))
        #expect(figures.contains("curves_regression.svg"))
        // Scores were stored in the results file.
        let scores = try HDF5File.open(directory + "/results/resume.h5").root().openGroup("scores").openGroup("external").openGroup("time")
        #expect(try scores.stringDataset("submissions") == ["adamw", "lion", "nesterov", "sgd"])
    }
}
