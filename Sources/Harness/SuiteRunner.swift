import Core
import Foundation
import Results

/// Runs many trials, each in its own `optbench trial` process, `jobs` at a time.
///
/// Every trial writes its own file atomically; a rerun skips trials whose file is
/// complete, so a run killed at any moment loses at most the trials in flight. A child
/// that dies without writing its file (signal, abnormal exit) is recorded as `crashed`
/// with the tail of its log, and the suite goes on.
public struct SuiteRunner: Sendable {
    /// What a suite run did.
    public struct Summary: Sendable {
        public var trialFiles: [String]
        public var skipped: Int
        public var ran: Int
        public var crashed: Int
    }

    /// The `optbench` executable to start for each trial.
    public var executable: String
    /// Folder of workload specs, passed on to each trial.
    public var workloadsDirectory: String
    /// Folder receiving the per-trial files.
    public var trialsDirectory: String
    /// Trial processes at once.
    public var jobs: Int
    /// BLAS threads per trial process.
    public var threadsPerTrial: Int

    public init(executable: String, workloadsDirectory: String, trialsDirectory: String, jobs: Int, threadsPerTrial: Int) {
        self.executable = executable
        self.workloadsDirectory = workloadsDirectory
        self.trialsDirectory = trialsDirectory
        self.jobs = max(1, jobs)
        self.threadsPerTrial = max(1, threadsPerTrial)
    }

    /// The file a trial writes: `<trials>/<ruleset>/<submission>/<workload>/study_<k>/trial_<i>.h5`.
    public func trialPath(_ key: TrialKey) -> String {
        "\(trialsDirectory)/\(key.ruleset)/\(key.submission)/\(key.workload)/study_\(key.study)/trial_\(key.trial).h5"
    }

    /// Runs every job not already complete; returns the paths of all trial files.
    public func run(_ jobList: [TrialJob], progress: ProgressReporter) throws -> Summary {
        let pending = jobList.filter { !hasFinished($0) }
        let skipped = jobList.count - pending.count
        for _ in 0..<skipped { progress.finished("(already complete)", summary: "skipped") }
        let crashes = Counter()
        let semaphore = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        for job in pending {
            semaphore.wait()
            group.enter()
            let runner = self
            DispatchQueue.global().async {
                defer {
                    semaphore.signal()
                    group.leave()
                }
                if runner.runChild(job, progress: progress) == false { crashes.increment() }
            }
        }
        group.wait()
        return Summary(
            trialFiles: jobList.map { trialPath($0.request.key) }, skipped: skipped, ran: pending.count,
            crashed: crashes.value)
    }

    /// Whether `job`'s file is complete and holds this very trial (same hyperparameters,
    /// seed and budget scale), so a rerun after the plan changed never reuses a stale file.
    public func hasFinished(_ job: TrialJob) -> Bool {
        let path = trialPath(job.request.key)
        guard TrialFile.isComplete(at: path), let record = try? ResultsFile.read(path).trials.first else { return false }
        return record.hyperparameters == job.request.hyperparameters && record.seed == job.request.seed
            && record.budgetScale == job.request.budgetScale
    }

    /// Runs one child; returns false when it crashed.
    private func runChild(_ job: TrialJob, progress: ProgressReporter) -> Bool {
        let key = job.request.key
        let path = trialPath(key)
        let label = "\(key.workload) × \(key.submission) study \(key.study) trial \(key.trial)"
        progress.started(label)
        let logPath = path.replacingOccurrences(of: ".h5", with: ".log")
        var message: String
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            defer { try? log.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments(for: job, output: path)
            process.standardOutput = log
            process.standardError = log
            try process.run()
            process.waitUntilExit()
            if process.terminationReason == .exit, process.terminationStatus == 0, TrialFile.isComplete(at: path) {
                progress.finished(label, summary: Self.summary(ofTrialAt: path))
                return true
            }
            message = process.terminationReason == .uncaughtSignal
                ? "trial process killed by signal \(process.terminationStatus)"
                : "trial process exited with status \(process.terminationStatus) without a complete trial file"
        } catch {
            message = "could not start trial process: \(error)"
        }
        let tail = Self.tail(ofFileAt: logPath, lines: 8)
        if !tail.isEmpty { message += "; log tail:\n" + tail }
        do {
            let record = TrialExecution.crashedRecord(for: job.request, spec: job.spec, message: message)
            try TrialFile.write(record, provenance: ProvenanceCollector.current(), to: path)
            progress.finished(label, summary: "crashed (\(message.prefix { $0 != ";" }))")
        } catch {
            progress.finished(label, summary: "crashed, and its record could not be written: \(error)")
        }
        return false
    }

    /// Command-line arguments of `optbench trial` for `job`.
    public func arguments(for job: TrialJob, output: String) -> [String] {
        let key = job.request.key
        return [
            "trial",
            "--workloads-dir", workloadsDirectory,
            "--workload", key.workload,
            "--submission", key.submission,
            "--ruleset", key.ruleset,
            "--study", String(key.study),
            "--trial", String(key.trial),
            "--seed", String(job.request.seed),
            "--hyperparameters", job.request.hyperparameters.jsonText,
            "--budget-scale", String(job.request.budgetScale),
            "--threads", String(threadsPerTrial),
            "--output", output,
        ] + (job.request.stopAtTarget ? [] : ["--no-target-stop"])
    }

    /// One-line summary of a finished trial file.
    static func summary(ofTrialAt path: String) -> String {
        guard let record = try? ResultsFile.read(path).trials.first else { return "done" }
        let time = record.timeToTarget.map { String(format: "target at %.2fs", $0) } ?? "target missed"
        return "\(record.status.rawValue), \(time)"
    }

    static func tail(ofFileAt path: String, lines: Int) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// A thread-safe counter.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

extension Hyperparameters {
    /// Compact JSON with sorted keys, as passed to `optbench trial --hyperparameters`.
    public var jsonText: String {
        JSONValue.object(values.mapValues { .number($0) }).serialized
    }
}
