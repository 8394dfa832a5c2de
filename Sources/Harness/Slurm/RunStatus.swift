import Core
import Foundation
import Results

/// Where each trial of a submitted run stands, from its trial file and, when Slurm's
/// client is there, the queue: what `optbench status` prints.
public struct RunStatus: Sendable {
    /// A trial's standing.
    public enum Standing: String, Sendable, CaseIterable {
        /// A current record that did not fail.
        case done
        /// A current record that ended `error` or `crashed` (a resubmission retries the crashed).
        case failed
        /// No record yet, and its array task is running.
        case running
        /// No record yet, and its task is not running (queued, not submitted, or gone).
        case pending
    }

    /// Each trial's standing, in plan order.
    public var standings: [Standing]
    /// The failed trials, with the first line of their message.
    public var failures: [SuiteRunner.TrialFailure]
    /// Trial files that exist but could not be read (counted pending), with why.
    public var unreadable: [(path: String, reason: String)]

    /// How many trials stand at each standing.
    public func count(_ standing: Standing) -> Int { standings.filter { $0 == standing }.count }

    /// The standing of each of `submission`'s trials (`jobs`, in plan order), given the
    /// records at `runner`'s paths and the array's `queued` tasks (by task index).
    public static func of(
        _ submission: ClusterSubmission, jobs: [TrialJob], runner: SuiteRunner, queued: [Int: TaskState]
    ) -> RunStatus {
        let (records, unreadable) = runner.storedRecords(of: jobs)
        let taskOfTrial = submission.taskOfTrial
        var failures: [SuiteRunner.TrialFailure] = []
        let standings = zip(jobs, records).enumerated().map { index, pair -> Standing in
            let (job, stored) = pair
            if let record = stored, TrialExecution.isRecord(record, of: job.request, on: job.spec) {
                guard record.status == .error || record.status == .crashed else { return .done }
                failures.append(SuiteRunner.TrialFailure(
                    key: record.key, path: runner.trialPath(record.key), kind: record.status.rawValue,
                    message: SuiteRunner.firstLine(of: record.message)))
                return .failed
            }
            let running = taskOfTrial[index].flatMap { queued[$0] }.map { $0.state == "RUNNING" } ?? false
            return running ? .running : .pending
        }
        return RunStatus(standings: standings, failures: failures, unreadable: unreadable)
    }
}
