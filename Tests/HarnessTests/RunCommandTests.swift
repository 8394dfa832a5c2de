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
        // Its trial processes die with it (they asked the kernel for SIGKILL when it ends).
        Thread.sleep(forTimeInterval: 0.5)
        #expect(Self.processes(mentioning: directory).isEmpty, "trial processes outlived the killed run")

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

        // Third run: a trial file damaged since (cut in half) is named, redone, and merged.
        let damaged = try #require(ResultsFile.trialFiles(under: trials).first)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: damaged))
        let third = try Self.finish(executable, Self.arguments(directory), log: directory + "/third.log")
        #expect(third.status == 0, "\(third.output)")
        #expect(third.output.contains("warning: redone, its file could not be read: \(damaged)"), "\(third.output)")
        #expect(TrialFile.isComplete(at: damaged))
        #expect(try ResultsFile.read(directory + "/results/resume.h5").trials.count == 8)
    }

    /// Pids of live processes whose command line mentions `text`.
    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let isZombie = state.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? false
            return !isZombie && String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }

    /// Runs `optbench` to the end; returns its exit status and output.
    static func finish(_ executable: String, _ arguments: [String], log: String) throws -> (status: Int32, output: String) {
        let process = try start(executable, arguments, log: log)
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func badArgumentsAreRejectedBeforeAnyTrialStarts() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try SuiteRunnerTests.temporaryDirectory("run-arguments")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = [
            "run", "--profile", "smoke", "--workloads-dir", SuiteRunnerTests.workloadsDirectory,
            "--results-dir", directory + "/results", "--plots-dir", directory + "/plots",
        ]
        let cases: [([String], String)] = [
            (["--threads", "3000000000"], "--threads must be an integer from 1 to 1024, got 3000000000"),
            (["--jobs", "0"], "--jobs must be an integer from 1 to 1024, got 0"),
            (["--seed", "-1"], "--seed must be an integer from 0 to"),
            (["--run", "x.h5"], "--run must be a run name, not a file name"),
            (["--run", ".."], "--run must be a plain name"),
            (["--submissions", "adamw,sgd,adamw"], "--submissions names \"adamw\" more than once"),
            (["--submissions", "adamw,no_such"], "--submissions: unknown submission \"no_such\""),
            (["--workloads", "regression,regression"], "--workloads names \"regression\" more than once"),
            (["--workloads", "../regression"], "--workloads must be a plain name"),
            (["--workloads", "nope"], "--workloads: unknown workload \"nope\""),
            (["--ruleset", "a b"], "--ruleset must be a plain name"),
            (["--max-steps", "-5"], "--max-steps must be an integer from 1 to"),
            (["--eval-every-steps", "0"], "--eval-every-steps must be an integer from 1 to"),
        ]
        for (extra, expected) in cases {
            let (status, output) = try Self.finish(executable, base + extra, log: directory + "/run.log")
            #expect(status == 64, "\(extra): \(output)")
            #expect(output.contains(expected), "\(extra): \(output)")
            #expect(!output.contains("could not be completed"))
            #expect(!FileManager.default.fileExists(atPath: directory + "/results"), "\(extra): nothing may start")
        }
        // A results folder that cannot be created: named, with the system's reason.
        FileManager.default.createFile(atPath: directory + "/file", contents: Data())
        let blocked = base.map { $0 == directory + "/results" ? directory + "/file/results" : $0 } + ["--submissions", "sgd"]
        let (status, output) = try Self.finish(executable, blocked, log: directory + "/run.log")
        #expect(status == 1)
        #expect(output.contains("cannot create the folder \"\(directory)/file/results\": Not a directory"), "\(output)")

        let trial = [
            "trial", "--workload", "regression", "--submission", "sgd", "--ruleset", "external", "--study", "0",
            "--trial", "0", "--seed", "1", "--hyperparameters", "{}", "--output", directory + "/t.h5",
        ]
        for (extra, expected) in [
            (["--threads", "3000000000"], "--threads must be an integer from 1 to 1024"),
            (["--study", "-1"], "--study must be an integer from 0 to 1000000, got -1"),
            (["--budget-scale", "1e9"], "--budget-scale must be a number greater than 0 and at most 1000"),
            (["--history", "[1]"], "--history: must be a JSON array of strings"),
        ] {
            let (status, output) = try Self.finish(executable, trial + extra, log: directory + "/trial.log")
            #expect(status == 64, "\(extra): \(output)")
            #expect(output.contains(expected), "\(extra): \(output)")
        }
    }

    @Test func aRunWithAnErroredTrialExitsNonZeroAndNamesIt() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try SuiteRunnerTests.temporaryDirectory("run-failed")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = [
            "run", "--profile", "smoke", "--workloads", "regression", "--submissions", "sgd,adamw", "--jobs", "2",
            "--max-steps", "30", "--eval-every-steps", "10", "--workloads-dir", SuiteRunnerTests.workloadsDirectory,
            "--results-dir", directory + "/results", "--plots-dir", directory + "/plots", "--run", "failing", "--no-plots",
        ]
        let first = try Self.finish(executable, arguments, log: directory + "/first.log")
        #expect(first.status == 0, "\(first.output)")

        // The sgd trial's stored record now says it errored (as a submission that threw would).
        let path = directory + "/results/runs/failing/trials/external/sgd/regression/study_0/trial_0.h5"
        var record = try #require(try ResultsFile.read(path).trials.first)
        record.status = .error
        record.message = "step 3: the submission threw\nsecond line"
        try TrialFile.write(record, provenance: ProvenanceCollector.current(), to: path)

        let second = try Self.finish(executable, arguments, log: directory + "/second.log")
        #expect(second.status == 2, "\(second.output)")
        #expect(second.output.contains("2 already complete"))
        #expect(second.output.contains("1 trial(s) have no usable result"))
        #expect(second.output.contains("  external/sgd/regression/study_0/trial_0: error: step 3: the submission threw\n"))
        #expect(!second.output.contains("second line"))
        #expect(try ResultsFile.read(directory + "/results/failing.h5").trials.count == 2, "the rest is still merged and scored")
    }
}
