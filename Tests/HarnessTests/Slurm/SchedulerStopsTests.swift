import Core
import Foundation
import Results
import Testing
@testable import Harness

/// Trials Slurm stopped are recorded `crashed` with its reason, and `RunStatus` counts
/// each trial from its file and the queue.
@Suite struct SchedulerStopsTests {
    struct Fixture {
        var directory: String
        var submission: ClusterSubmission
        var jobs: [TrialJob]
        var runner: SuiteRunner
    }

    /// Three pending trials in tasks of two (task 0: trials 0 and 1; task 1: trial 2);
    /// trial 0 has a finished record.
    static func fixture(_ name: String) throws -> Fixture {
        let directory = try SuiteRunnerTests.temporaryDirectory(name)
        let spec = try SpecCatalog(directory: SuiteRunnerTests.workloadsDirectory).spec(named: "regression")
        let requests = (0..<3).map { trial in
            TrialRequest(
                key: TrialKey(submission: "adamw", workload: "regression", ruleset: "external", study: 0, trial: trial),
                hyperparameters: Hyperparameters(["learning_rate": 0.01]), seed: UInt64(trial), budgetScale: 0.1)
        }
        let submission = ClusterSubmission(
            run: "stops", executable: "/bin/false", workloadsDirectory: SuiteRunnerTests.workloadsDirectory,
            trialsDirectory: directory + "/trials", resultsPath: directory + "/stops.h5", figuresDirectory: nil, threadsPerTrial: 1,
            trials: requests, pending: [0, 1, 2], trialsPerTask: 2)
        let jobs = requests.map { TrialJob(request: $0, spec: spec) }
        let runner = submission.runner(executable: "/bin/false", reader: nil)
        var done = TrialExecution.crashedRecord(for: requests[0], spec: spec, message: "")
        done.status = .budgetExhausted
        try SuiteRunner.makeDirectories((runner.trialPath(requests[0].key) as NSString).deletingLastPathComponent)
        try TrialFile.write(done, provenance: ProvenanceCollector.current(), to: runner.trialPath(requests[0].key))
        return Fixture(directory: directory, submission: submission, jobs: jobs, runner: runner)
    }

    static func record(_ fixture: Fixture, _ index: Int) throws -> TrialRecord? {
        let path = fixture.runner.trialPath(fixture.jobs[index].request.key)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try ResultsFile.read(path).trials.first
    }

    @Test func finishingJobRecordsTheSchedulersReasonForStoppedTasksOnly() throws {
        let fixture = try Self.fixture("scheduler-ended")
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let tasks = [0: TaskState(state: "TIMEOUT", reason: "TimeLimit"), 1: TaskState(state: "COMPLETED", reason: "None")]
        let (recorded, errors) = SchedulerStops.recordEnded(fixture.submission, jobs: fixture.jobs, tasks: tasks, arrayJob: "9", runner: fixture.runner)
        #expect(recorded == 1)
        #expect(errors.isEmpty)
        #expect(try Self.record(fixture, 0)?.status == .budgetExhausted)
        let stopped = try #require(try Self.record(fixture, 1))
        #expect(stopped.status == .crashed)
        #expect(stopped.message == "Slurm job 9_0 ended TIMEOUT (TimeLimit), said the scheduler; the trial left no result")
        #expect(TrialExecution.isRecord(stopped, of: fixture.jobs[1].request, on: fixture.jobs[1].spec))
        #expect(try Self.record(fixture, 2) == nil)

        let status = RunStatus.of(fixture.submission, jobs: fixture.jobs, runner: fixture.runner, queued: [1: TaskState(state: "RUNNING", reason: "None")])
        #expect(status.standings == [.done, .failed, .running])
        #expect(status.failures.map(\.key.trial) == [1])
        #expect(RunStatus.of(fixture.submission, jobs: fixture.jobs, runner: fixture.runner, queued: [:]).standings == [.done, .failed, .pending])
        // A resubmission runs the stopped trial again, keeping the stop in its history.
        guard case .due(let history) = fixture.runner.storedState(of: fixture.jobs[1]) else {
            Issue.record("a trial stopped by the scheduler must be due again")
            return
        }
        #expect(history == ["crashed: Slurm job 9_0 ended TIMEOUT (TimeLimit), said the scheduler; the trial left no result"])
    }

    @Test func taskStoppedBySignalRecordsItsUnfinishedTrialsThenTheSchedulerAddsItsWord() throws {
        let fixture = try Self.fixture("scheduler-signal")
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let taskJobs = Array(fixture.jobs[0...1])
        let histories = SchedulerStops.histories(of: taskJobs, runner: fixture.runner)
        #expect(histories == [[], []])
        let errors = SchedulerStops.recordSignal(SIGTERM, jobs: taskJobs, histories: histories, runner: fixture.runner, taskLabel: "Slurm job 9_0")
        #expect(errors.isEmpty)
        #expect(try Self.record(fixture, 0)?.status == .budgetExhausted)
        let signalled = try #require(try Self.record(fixture, 1))
        #expect(signalled.message.hasPrefix("stopped by the scheduler: Slurm job 9_0 received SIGTERM"))
        _ = SchedulerStops.recordEnded(
            fixture.submission, jobs: fixture.jobs, tasks: [0: TaskState(state: "PREEMPTED", reason: "None")], arrayJob: "9",
            runner: fixture.runner)
        let ended = try #require(try Self.record(fixture, 1))
        #expect(ended.message == "Slurm job 9_0 ended PREEMPTED, said the scheduler; " + signalled.message)
        #expect(ended.history.isEmpty)
    }
}
