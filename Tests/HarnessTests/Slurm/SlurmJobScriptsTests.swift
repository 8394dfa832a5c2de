import Foundation
import Testing
@testable import Harness

/// The batch scripts and `sbatch` options.
@Suite struct SlurmJobScriptsTests {
    @Test func arrayOptionsCarryTheResourcesAndTheUsersScheduling() {
        let options = SlurmJobScripts.arrayOptions(
            run: "smoke", taskCount: 3, resources: SlurmResources(cpusPerTask: 2, timeMinutes: 7, memoryMegabytes: 900),
            logDirectory: "/r/100%/logs",
            scheduling: SlurmScheduling(partition: "cpu", account: "lab", qos: "low", extraArguments: ["--exclusive"]))
        #expect(options == [
            "--job-name=optbench-smoke", "--array=0-2", "--cpus-per-task=2", "--time=7", "--mem=900M",
            "--output=/r/100%%/logs/task_%a.out", "--chdir=/r/100%/logs", "--partition=cpu", "--account=lab", "--qos=low",
            "--exclusive",
        ])
    }

    @Test func finishingJobWaitsForTheWholeArray() {
        let options = SlurmJobScripts.finishOptions(run: "smoke", arrayJob: "42", trials: 5_500, logDirectory: "/l", scheduling: SlurmScheduling())
        #expect(options.contains("--dependency=afterany:42"))
        #expect(options.contains("--time=10"))
        #expect(!SlurmJobScripts.finishOptions(run: "s", arrayJob: nil, trials: 1, logDirectory: "/l", scheduling: SlurmScheduling())
            .contains { $0.hasPrefix("--dependency") })
        #expect(SlurmJobScripts.finishMinutes(trials: 100_000) == 20)
    }

    /// The array script run by a real shell, with a hostile folder name around the
    /// executable and the submission file: the command receives them whole.
    @Test func arrayScriptPassesHostilePathsWhole() throws {
        let directory = try SuiteRunnerTests.temporaryDirectory("slurm-script")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hostile = directory + "/it's $(touch pwned) `id` \"x\"\n;*"
        try FileManager.default.createDirectory(atPath: hostile, withIntermediateDirectories: true)
        let executable = hostile + "/echo"
        try FileManager.default.createSymbolicLink(atPath: executable, withDestinationPath: "/bin/echo")
        let submission = hostile + "/submission.json"
        let tasks = hostile + "/tasks"
        let script = directory + "/array.sh"
        try SlurmJobScripts.arrayScript(executable: executable, tasksDirectory: tasks).write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script]
        process.environment = ["SLURM_ARRAY_TASK_ID": "7"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output == "slurm-task --tasks \(tasks) --task 7\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/pwned"))
        let finish = SlurmJobScripts.finishScript(executable: executable, submissionPath: submission, arrayJob: "42")
        #expect(finish.hasSuffix("exec " + ShellQuoting.commandLine([executable, "slurm-finish", "--submission", submission, "--array-job", "42"]) + "\n"))
    }
}
