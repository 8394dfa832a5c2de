import ArgumentParser
import Core
import Foundation
import Harness

/// `optbench status`: where a run submitted to Slurm stands — done, failed, running and
/// pending trials from the trial files and, where Slurm's client is installed, the queue.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show done / failed / running / pending trials of a run submitted to Slurm.")

    @Argument(help: "The run's name (results/runs/<run>).") var runName: String
    @Option(help: "Folder for results files.") var resultsDir = "results"

    mutating func validate() throws {
        try ArgumentCheck.plainName(runName, argument: "<run-name>")
    }

    mutating func run() throws {
        let folder = SlurmRunFolder(runDirectory: "\(resultsDir)/runs/\(runName)")
        guard let number = folder.submissionNumbers.last else {
            throw ValidationError("run \(runName) has no Slurm submission in \(PathError.quoted(folder.slurmDirectory))")
        }
        let plan = try ClusterSubmission.read(folder.submissionFile(number))
        let jobs = try plan.jobs(at: plan.trials.indices, catalog: SpecCatalog(directory: plan.workloadsDirectory))
        let runner = plan.runner(executable: ThisExecutable.path, reader: ThisExecutable.resultsReader)
        let ids = try folder.jobs(number: number)
        let client = SlurmClient()
        var queued: [Int: TaskState] = [:]
        var finishQueued = false
        if let ids, client.isAvailable {
            do {
                if let array = ids.array { queued = try client.queuedTasks(of: array) }
                finishQueued = try client.isQueued(ids.finish)
            } catch {
                print("warning: could not read the queue: \(error)")
            }
        }
        let status = RunStatus.of(plan, jobs: jobs, runner: runner, queued: queued)
        print("run \(runName), submission \(number)" + (ids.map { ids in
            (ids.array.map { ": array job \($0)" } ?? ": no array") + ", merging job \(ids.finish)" + (finishQueued ? " (queued)" : "")
        } ?? ""))
        print(RunStatus.Standing.allCases.map { "\(status.count($0)) \($0.rawValue)" }.joined(separator: ", ")
              + " of \(jobs.count) trials")
        let waiting = queued.values.filter { $0.state == "PENDING" }.count
        if waiting > 0 { print("\(waiting) array task(s) waiting in the queue") }
        for file in status.unreadable { print("unreadable (counted pending): \(file.reason)") }
        for failure in status.failures {
            let key = failure.key
            print("  \(key.ruleset)/\(key.submission)/\(key.workload)/study_\(key.study)/trial_\(key.trial): \(failure.kind): \(PathError.quoted(failure.message))")
        }
    }
}
