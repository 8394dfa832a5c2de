import Core
import Foundation
import Results
import Testing
@testable import Harness

/// Suite runs through real child processes: the built `optbench` executable, or a
/// shell script standing in for a trial process that crashes.
@Suite(.serialized) struct SuiteRunnerTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let workloadsDirectory = repositoryRoot.appendingPathComponent("workloads").path

    /// The `optbench` binary built beside the test bundle.
    static var optbenchExecutable: String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("optbench").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let fallback = repositoryRoot.appendingPathComponent(".build/debug/optbench").path
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func jobs(count: Int, spec: WorkloadSpec, submission: String) -> [TrialJob] {
        (0..<count).map { trial in
            TrialJob(
                request: TrialRequest(
                    key: TrialKey(submission: submission, workload: spec.name, ruleset: "external", study: 0, trial: trial),
                    hyperparameters: Hyperparameters(["learning_rate": 0.01 * Double(trial + 1), "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "warmup_fraction": 0.05]),
                    seed: UInt64(100 + trial), budgetScale: 0.02),
                spec: spec)
        }
    }

    @Test func crashingTrialProcessIsRecordedAndTheSuiteGoesOn() throws {
        let directory = try Self.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = directory + "/crashing-trial"
        try "#!/bin/sh\necho 'about to crash' >&2\nkill -SEGV $$\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let spec = try SpecCatalog(directory: Self.workloadsDirectory).spec(named: "regression")
        let runner = SuiteRunner(
            executable: script, workloadsDirectory: Self.workloadsDirectory, trialsDirectory: directory + "/trials",
            jobs: 2, threadsPerTrial: 1)
        let summary = try runner.run(Self.jobs(count: 3, spec: spec, submission: "adamw"), progress: ProgressReporter(total: 3, live: false))
        #expect(summary.crashed == 3)
        #expect(summary.ran == 3)
        for path in summary.trialFiles {
            let record = try #require(try ResultsFile.read(path).trials.first)
            #expect(record.status == .crashed)
            #expect(record.message.contains("signal 11"))
            #expect(record.message.contains("about to crash"))
        }
    }

    @Test func rerunAfterAKilledRunSkipsCompleteTrialsAndRedoesTheRest() throws {
        let executable = try #require(Self.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try Self.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = try SpecCatalog(directory: Self.workloadsDirectory).spec(named: "regression")
        let runner = SuiteRunner(
            executable: executable, workloadsDirectory: Self.workloadsDirectory, trialsDirectory: directory + "/trials",
            jobs: 2, threadsPerTrial: 1)
        let jobs = Self.jobs(count: 4, spec: spec, submission: "adamw")

        // A first run that only got through two trials before it was killed ...
        let first = try runner.run(Array(jobs.prefix(2)), progress: ProgressReporter(total: 2, live: false))
        #expect(first.ran == 2 && first.crashed == 0)
        let untouched = try first.trialFiles.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
        // ... while the third was being written: a truncated file stands where it should be.
        let third = runner.trialPath(jobs[2].request.key)
        try FileManager.default.createDirectory(atPath: (third as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 0x89, count: 100).write(to: URL(fileURLWithPath: third))

        let second = try runner.run(jobs, progress: ProgressReporter(total: 4, live: false))
        #expect(second.skipped == 2)
        #expect(second.ran == 2)
        #expect(second.crashed == 0)
        let after = try first.trialFiles.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
        #expect(after == untouched)

        let records = try second.trialFiles.map { try #require(try ResultsFile.read($0).trials.first) }
        #expect(Set(records.map(\.key)).count == 4)
        #expect(records.allSatisfy { $0.status != .crashed && $0.status != .error })
        #expect(records.map(\.seed) == [100, 101, 102, 103])
    }

    @Test func aFileFromAnotherPlanIsNotReused() throws {
        let executable = try #require(Self.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try Self.temporaryDirectory("stale")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = try SpecCatalog(directory: Self.workloadsDirectory).spec(named: "regression")
        let runner = SuiteRunner(
            executable: executable, workloadsDirectory: Self.workloadsDirectory, trialsDirectory: directory + "/trials",
            jobs: 1, threadsPerTrial: 1)
        let job = Self.jobs(count: 1, spec: spec, submission: "adamw")[0]
        _ = try runner.run([job], progress: ProgressReporter(total: 1, live: false))
        #expect(runner.hasFinished(job))
        var changed = job
        changed.request.hyperparameters = job.request.hyperparameters.merging(Hyperparameters(["learning_rate": 0.5]))
        #expect(!runner.hasFinished(changed))
        let rerun = try runner.run([changed], progress: ProgressReporter(total: 1, live: false))
        #expect(rerun.skipped == 0 && rerun.ran == 1)
        let record = try #require(try ResultsFile.read(rerun.trialFiles[0]).trials.first)
        #expect(record.hyperparameters["learning_rate"] == 0.5)
    }
}
