import Core
import Foundation
import Results
import Testing
@testable import Harness

/// Issue 20's run orchestration: crashed and stale trials are redone, trials that cannot
/// write their file are not recorded as crashed, interrupted runs stop their children,
/// and a step budget makes a trial reproducible.
@Suite(.serialized) struct RunOrchestrationTests {
    static let workloadsDirectory = SuiteRunnerTests.workloadsDirectory

    static func regression() throws -> WorkloadSpec {
        try SpecCatalog(directory: workloadsDirectory).spec(named: "regression")
    }

    /// A job that trains `steps` steps of SGD with a learning rate far too small to reach
    /// the target, evaluating every `steps / 3` steps.
    static func slowJob(_ spec: WorkloadSpec, trial: Int = 0, steps: Int) -> TrialJob {
        TrialJob(
            request: TrialRequest(
                key: TrialKey(submission: "sgd", workload: spec.name, ruleset: "external", study: 0, trial: trial),
                hyperparameters: Hyperparameters(["learning_rate": 1e-6]), seed: UInt64(7 + trial), budgetScale: 0.01,
                maximumSteps: steps, evalEverySteps: max(1, steps / 3)),
            spec: spec)
    }

    static func script(_ text: String, in directory: String, named name: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    static func temporaries(under directory: String) -> [String] {
        let names = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return names.filter { $0.contains(".tmp-") }
    }

    // MARK: - Crashed and stale records

    @Test func aCrashedTrialIsRetriedAndKeepsItsCrashInTheHistory() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try SuiteRunnerTests.temporaryDirectory("retry")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let crashing = try Self.script("#!/bin/sh\nkill -KILL $$\n", in: directory, named: "crashing-trial")
        let job = Self.slowJob(try Self.regression(), steps: 30)
        let crashingRunner = SuiteRunner(
            executable: crashing, workloadsDirectory: Self.workloadsDirectory, trialsDirectory: directory + "/trials",
            jobs: 1, threadsPerTrial: 1)
        let first = try crashingRunner.run([job], progress: ProgressReporter(total: 1, live: false))
        #expect(first.crashed == 1)
        #expect(first.failures.map(\.kind) == ["crashed"])
        #expect(first.failures.first?.message == "trial process killed by signal 9")
        #expect(!crashingRunner.hasFinished(job), "a crashed record is never complete")

        var runner = crashingRunner
        runner.executable = executable
        let second = try runner.run([job], progress: ProgressReporter(total: 1, live: false))
        #expect(second.skipped == 0 && second.ran == 1 && second.crashed == 0)
        #expect(second.failures.isEmpty)
        let record = try #require(try ResultsFile.read(second.trialFiles[0]).trials.first)
        #expect(record.status == .budgetExhausted)
        #expect(record.history == ["crashed: trial process killed by signal 9"])
        #expect(record.maximumSteps == 30 && record.evalEverySteps == 10 && record.stopAtTarget)
        #expect(runner.hasFinished(job))
        let third = try runner.run([job], progress: ProgressReporter(total: 1, live: false))
        #expect(third.skipped == 1 && third.ran == 0)
    }

    @Test func aRecordIsCurrentOnlyForTheSamePlanSpecAndSchedule() throws {
        let spec = try Self.regression()
        let job = Self.slowJob(spec, steps: 30)
        let outcome = TrialOutcome(
            status: .budgetExhausted, message: "", evaluations: [], lossLog: LossLog(), timeToTarget: nil,
            stepsToTarget: nil, oracleCallsToTarget: nil, stateBytes: 0, steps: 30)
        let record = TrialExecution.record(for: job.request, spec: spec, outcome: outcome, peakResidentBytes: 0, history: [])
        #expect(TrialExecution.isRecord(record, of: job.request, on: spec))

        var otherTarget = spec
        otherTarget.validationTarget *= 0.5
        #expect(!TrialExecution.isRecord(record, of: job.request, on: otherTarget))
        var otherPeriod = spec
        otherPeriod.evalPeriodSeconds *= 2
        #expect(!TrialExecution.isRecord(record, of: job.request, on: otherPeriod))
        var otherHint = spec
        otherHint.stepHint += 1
        #expect(!TrialExecution.isRecord(record, of: job.request, on: otherHint))
        for change in [
            { (r: inout TrialRequest) in r.stopAtTarget = false },
            { (r: inout TrialRequest) in r.maximumSteps = nil },
            { (r: inout TrialRequest) in r.maximumSteps = 31 },
            { (r: inout TrialRequest) in r.evalEverySteps = nil },
            { (r: inout TrialRequest) in r.budgetScale = 0.02 },
            { (r: inout TrialRequest) in r.seed += 1 },
        ] {
            var request = job.request
            change(&request)
            #expect(!TrialExecution.isRecord(record, of: request, on: spec))
        }

        // A NaN fact (an uncalibrated test target) equals itself.
        var unset = spec
        unset.testTarget = .nan
        let nanRecord = TrialExecution.record(for: job.request, spec: unset, outcome: outcome, peakResidentBytes: 0, history: [])
        #expect(TrialExecution.isRecord(nanRecord, of: job.request, on: unset))
        #expect(!TrialExecution.isRecord(nanRecord, of: job.request, on: spec))
    }

    @Test func newRecordFieldsRoundTripAndOlderFilesReadAsDefaults() throws {
        let directory = try SuiteRunnerTests.temporaryDirectory("fields")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = try Self.regression()
        let job = Self.slowJob(spec, steps: 30)
        var record = TrialExecution.crashedRecord(
            for: job.request, spec: spec, message: "trial process killed by signal 9",
            history: ["crashed: trial process killed by signal 11", "crashed: with \"quotes\"\nand a newline"])
        record.stopAtTarget = false
        let path = directory + "/trial.h5"
        try TrialFile.write(record, provenance: ProvenanceCollector.current(), to: path)
        let back = try #require(try ResultsFile.read(path).trials.first)
        #expect(back.history == record.history)
        #expect(back.maximumSteps == 30 && back.evalEverySteps == 10 && back.stopAtTarget == false)
        let trialGroup = try ["trials", "external", "sgd", "regression", "study_0", "trial_0"]
            .reduce(try HDF5File.open(path).root()) { try $0.openGroup($1) }
        #expect(try trialGroup.intAttribute("max_steps") == 30)
        #expect(try trialGroup.intAttribute("stop_at_target") == 0)
        #expect(try trialGroup.stringAttribute("history").hasPrefix(#"["crashed: trial process killed by signal 11","#))

        var plain = record
        plain.maximumSteps = nil
        plain.evalEverySteps = nil
        plain.history = []
        plain.stopAtTarget = true
        try TrialFile.write(plain, provenance: ProvenanceCollector.current(), to: path)
        let group = try ["trials", "external", "sgd", "regression", "study_0", "trial_0"]
            .reduce(try HDF5File.open(path).root()) { try $0.openGroup($1) }
        #expect(try group.intAttribute("max_steps") == -1)
        #expect(try group.stringAttribute("history") == "[]")
        #expect(try ResultsFile.read(path).trials.first == plain)
    }

    // MARK: - A trial that cannot write its file

    @Test func aTrialThatCannotWriteItsFileIsNotRecordedAsCrashed() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try SuiteRunnerTests.temporaryDirectory("fsize")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A file-size limit of 4 KiB: the log fits, the trial file does not (EFBIG, or
        // SIGXFSZ unless the trial process ignores it).
        let limited = try Self.script("#!/bin/sh\nulimit -f 8\nexec '\(executable)' \"$@\"\n", in: directory, named: "limited-trial")
        let job = Self.slowJob(try Self.regression(), steps: 30)
        let runner = SuiteRunner(
            executable: limited, workloadsDirectory: Self.workloadsDirectory, trialsDirectory: directory + "/trials",
            jobs: 1, threadsPerTrial: 1)
        let path = runner.trialPath(job.request.key)
        let summary = try runner.run([job], progress: ProgressReporter(total: 1, live: false))
        #expect(summary.crashed == 0)
        let failure = try #require(summary.failures.first)
        #expect(summary.failures.count == 1)
        #expect(failure.kind == "not written")
        #expect(failure.message.contains(path))
        #expect(failure.message.contains("cannot write trial file"), "\(failure.message)")
        #expect(!FileManager.default.fileExists(atPath: path), "no crashed record: the trial is retried")
        #expect(Self.temporaries(under: directory + "/trials").isEmpty)

        var unlimited = runner
        unlimited.executable = executable
        let rerun = try unlimited.run([job], progress: ProgressReporter(total: 1, live: false))
        #expect(rerun.ran == 1 && rerun.failures.isEmpty)
        #expect(try ResultsFile.read(path).trials.first?.status == .budgetExhausted)
    }

    @Test func theParentReportsACrashedRecordItCannotWriteAndGoesOn() throws {
        let directory = try SuiteRunnerTests.temporaryDirectory("parent-write")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The trial process puts a file where its own folder was (so that even root cannot
        // write there), then dies.
        let crashing = try Self.script(
            "#!/bin/sh\nout=''\nwhile [ $# -gt 0 ]; do [ \"$1\" = --output ] && out=\"$2\"; shift; done\n"
                + "d=$(dirname \"$out\")\nrm -rf \"$d\"\necho x > \"$d\"\nkill -KILL $$\n",
            in: directory, named: "crashing-trial")
        let spec = try Self.regression()
        let runner = SuiteRunner(
            executable: crashing, workloadsDirectory: Self.workloadsDirectory, trialsDirectory: directory + "/trials",
            jobs: 1, threadsPerTrial: 1)
        let jobs = [Self.slowJob(spec, trial: 0, steps: 30), Self.slowJob(spec, trial: 1, steps: 30)]
        let summary = try runner.run(jobs, progress: ProgressReporter(total: 2, live: false))
        #expect(summary.ran == 2 && summary.crashed == 2)
        #expect(summary.failures.count == 2)
        #expect(summary.failures.allSatisfy { $0.message.contains("its crashed record could not be written to") }, "\(summary.failures)")
        #expect(summary.failures.last?.message.contains("cannot create the folder") == true, "\(summary.failures)")
    }

    // MARK: - Interruption

    /// Processes whose parent is `pid`, from /proc.
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { candidate in
            guard let status = try? String(contentsOfFile: "/proc/\(candidate)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("PPid:") })
            else { return false }
            return Int32(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) == pid
        }
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
        return state != "Z"
    }

    @Test func sigtermStopsTheRunItsChildrenAndTheirTemporariesAndARerunCompletes() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try SuiteRunnerTests.temporaryDirectory("sigterm")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = [
            "run", "--profile", "smoke", "--workloads", "regression_cond1e4", "--submissions", "sgd,mezo", "--jobs", "2",
            "--max-steps", "12000", "--eval-every-steps", "4000", "--workloads-dir", Self.workloadsDirectory,
            "--results-dir", directory + "/results", "--plots-dir", directory + "/plots", "--run", "stopped", "--no-plots",
        ]
        let trials = directory + "/results/runs/stopped/trials/external"
        let run = try RunCommandTests.start(executable, arguments, log: directory + "/first.log")
        let deadline = Date().addingTimeInterval(60)
        var trialProcesses: [pid_t] = []
        while Date() < deadline, trialProcesses.count < 2 {
            Thread.sleep(forTimeInterval: 0.1)
            trialProcesses = Self.children(of: run.processIdentifier)
        }
        #expect(trialProcesses.count == 2, "both trials should be running")
        // As if each trial process were killed halfway through writing its file.
        for submission in ["sgd", "mezo"] {
            let folder = "\(trials)/\(submission)/regression_cond1e4/study_0"
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: folder + "/trial_0.h5.tmp-424242-1", contents: Data([0x89]))
        }
        Thread.sleep(forTimeInterval: 0.5)
        let signalled = Date()
        kill(run.processIdentifier, SIGTERM)
        run.waitUntilExit()
        // The trial processes end on the forwarded SIGTERM itself, not on the SIGKILL 5 s later.
        #expect(Date().timeIntervalSince(signalled) < 4)
        let log = (try? String(contentsOfFile: directory + "/first.log", encoding: .utf8)) ?? ""
        #expect(run.terminationReason == .exit && run.terminationStatus == 128 + SIGTERM, "\(log)")
        #expect(log.contains("interrupted by SIGTERM") && log.contains("Rerun the same command to resume"))
        #expect(trialProcesses.allSatisfy { !Self.isAlive($0) }, "no trial process may outlive the run")
        #expect(Self.temporaries(under: trials).isEmpty)
        #expect(ResultsFile.trialFiles(under: trials).isEmpty, "interrupted trials are not recorded")
        #expect(!FileManager.default.fileExists(atPath: directory + "/results/stopped.h5"))

        let rerun = try RunCommandTests.start(executable, arguments, log: directory + "/second.log")
        rerun.waitUntilExit()
        let second = (try? String(contentsOfFile: directory + "/second.log", encoding: .utf8)) ?? ""
        #expect(rerun.terminationStatus == 0, "\(second)")
        let merged = try ResultsFile.read(directory + "/results/stopped.h5")
        #expect(merged.trials.count == 2)
        #expect(merged.trials.allSatisfy { $0.status == .budgetExhausted && $0.evaluations.last?.step == 12000 })
    }

    // MARK: - Reproducibility under a step budget

    /// `record` with every timing field zeroed: what may differ between two runs.
    static func withoutTimings(_ record: TrialRecord) -> TrialRecord {
        var result = record
        result.peakResidentBytes = 0
        result.timeToTarget = result.timeToTarget.map { _ in 0 }
        result.evaluations = record.evaluations.map { row in
            var row = row
            row.submissionTime = 0
            row.wallTime = 0
            return row
        }
        return result
    }

    @Test func twoRunsUnderAStepBudgetGiveTheSameRecordApartFromTimings() throws {
        let spec = try Self.regression()
        // A budget scale of 0.001 gives half a millisecond of submission time: under the
        // step budget the trial still takes all its steps.
        var request = Self.slowJob(spec, steps: 400).request
        request.budgetScale = 0.001
        request.hyperparameters = Hyperparameters(["learning_rate": 0.01])
        request.evalEverySteps = 50
        let first = try TrialExecution.run(request, spec: spec, provenance: ProvenanceCollector.current())
        let second = try TrialExecution.run(request, spec: spec, provenance: ProvenanceCollector.current())
        #expect(first.evaluations.count == second.evaluations.count)
        #expect(first.status == second.status)
        #expect(first.evaluations.map(\.step) == second.evaluations.map(\.step))
        if first.status == .budgetExhausted {
            #expect(first.evaluations.map(\.step) == Array(stride(from: 0, through: 400, by: 50)))
            #expect(first.message == "step budget of 400 steps used up")
        }
        #expect(Self.withoutTimings(first) == Self.withoutTimings(second))
        #expect(first.evaluations.map(\.validationMetric.bitPattern) == second.evaluations.map(\.validationMetric.bitPattern))
        #expect(first.trainLossValues.map(\.bitPattern) == second.trainLossValues.map(\.bitPattern))
    }
}
