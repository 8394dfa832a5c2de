import Core
import Foundation
import Results
import Testing
@testable import Harness

/// What a submission selects and would submit, without a cluster (`--dry-run` where
/// Slurm is not installed).
@Suite struct SlurmSubmitterTests {
    @Test func dryRunSubmitsOnlyMissingAndCrashedTrialsAndWritesNothing() throws {
        let fixture = try SchedulerStopsTests.fixture("slurm-submitter")
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        // Trial 0 is done (the fixture's record); trial 1 crashed; trial 2 has no file.
        let crashed = TrialExecution.crashedRecord(for: fixture.jobs[1].request, spec: fixture.jobs[1].spec, message: "killed")
        try TrialFile.write(crashed, provenance: ProvenanceCollector.current(), to: fixture.runner.trialPath(crashed.key))
        let folder = SlurmRunFolder(runDirectory: fixture.directory + "/run")
        let submitter = SlurmSubmitter(
            client: SlurmClient(searchPath: "/nonexistent"), scheduling: SlurmScheduling(partition: "cpu"))
        let outcome = try submitter.submit(
            fixture.jobs, runner: fixture.runner, run: "stops", folder: folder, resultsPath: fixture.directory + "/stops.h5",
            figuresDirectory: nil, dryRun: true)
        #expect(outcome.number == 1)
        #expect(outcome.submission.trials == fixture.jobs.map(\.request))
        #expect(outcome.submission.pending == [1, 2])
        #expect(outcome.submission.trialsPerTask == 1)
        let command = try #require(outcome.arrayCommand)
        #expect(command.first == "sbatch" && command.contains("--array=0-1") && command.contains("--partition=cpu"))
        #expect(command.last == folder.submissionDirectory(1) + "/array.sh")
        #expect(outcome.arrayScript?.contains(ShellQuoting.quoted(folder.tasksDirectory(1))) == true)
        #expect(outcome.finishCommand.contains("--dependency=afterany:<array job id>"))
        #expect(outcome.jobs == nil)
        #expect(!FileManager.default.fileExists(atPath: folder.slurmDirectory))
        // A real submission needs Slurm: without it the error names the command.
        #expect(throws: SlurmClient.Failure.self) {
            try submitter.submit(
                fixture.jobs, runner: fixture.runner, run: "stops", folder: folder, resultsPath: fixture.directory + "/stops.h5",
                figuresDirectory: nil, dryRun: false)
        }
    }

    @Test func nothingPendingSubmitsOnlyTheMergingJob() throws {
        let fixture = try SchedulerStopsTests.fixture("slurm-submitter-done")
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let outcome = try SlurmSubmitter(client: SlurmClient(searchPath: "/nonexistent"), scheduling: SlurmScheduling()).submit(
            [fixture.jobs[0]], runner: fixture.runner, run: "stops", folder: SlurmRunFolder(runDirectory: fixture.directory + "/run"),
            resultsPath: fixture.directory + "/stops.h5", figuresDirectory: nil, dryRun: true)
        #expect(outcome.submission.pending.isEmpty)
        #expect(outcome.arrayCommand == nil && outcome.arrayScript == nil)
        #expect(!outcome.finishCommand.contains { $0.hasPrefix("--dependency") })
    }
}
