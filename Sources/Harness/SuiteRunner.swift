import Core
import Foundation
import Results

/// Runs many trials, each in its own `optbench trial` process, `jobs` at a time.
///
/// Every trial writes its own file atomically; a rerun skips trials whose file is
/// complete and current (`TrialExecution.isRecord(_:of:on:)`), so a run killed at any
/// moment loses at most the trials in flight. A child that dies without writing its file
/// (signal, abnormal exit) is recorded as `crashed` with the tail of its log, and the suite
/// goes on; a rerun retries it, keeping the crash in the new record's `history`. A child
/// that could not write its file (exit status `TrialExecution.cannotWriteExitStatus`, e.g.
/// a full disk) leaves no record and is retried too. When the run is interrupted
/// (`RunInterruption`), no further trial starts and interrupted trials leave no file.
public struct SuiteRunner: Sendable {
    /// What a suite run did.
    public struct Summary: Sendable {
        /// Every job's trial file path, in job order (some may be missing after failures).
        public var trialFiles: [String]
        /// Jobs whose file was complete and current.
        public var skipped: Int
        /// Jobs started.
        public var ran: Int
        /// Jobs whose process died without a result.
        public var crashed: Int
        /// Every trial that ended `crashed` or `error`, or left no file, skipped ones included.
        public var failures: [TrialFailure]
        /// The signal that interrupted the run, nil when it was not interrupted.
        public var interruptedBy: Int32?
        /// Trial files found unreadable or corrupt before the run (each redone), with why.
        public var unreadable: [(path: String, reason: String)] = []
    }

    /// A trial without a usable result, for the end-of-run report.
    public struct TrialFailure: Sendable, CustomStringConvertible {
        public var key: TrialKey
        /// The trial file's path.
        public var path: String
        /// `crashed`, `error`, or `not written` (the process could not write its file).
        public var kind: String
        /// The first line of the failure's message.
        public var message: String

        public var description: String {
            "\(key.ruleset)/\(key.submission)/\(key.workload)/study_\(key.study)/trial_\(key.trial): \(kind): \(message)"
        }
    }

    /// What `storedState(of:)` found at a job's path.
    public enum StoredTrial: Sendable {
        /// A complete record of this very trial that is not `crashed`: skip it.
        case current(TrialRecord)
        /// Run the trial, passing on `history` (earlier failed attempts).
        case due(history: [String])
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
    /// Signal handling shared with the command that installed it; a fresh, uninstalled
    /// one by default.
    public var interruption: RunInterruption
    /// Reads the trial files already on disk when a run resumes (they may have been
    /// damaged since they were written); nil reads them in this process.
    public var reader: IsolatedResultsReader?

    public init(
        executable: String, workloadsDirectory: String, trialsDirectory: String, jobs: Int, threadsPerTrial: Int,
        interruption: RunInterruption = RunInterruption(), reader: IsolatedResultsReader? = nil
    ) {
        self.reader = reader
        self.executable = executable
        self.workloadsDirectory = workloadsDirectory
        self.trialsDirectory = trialsDirectory
        self.jobs = max(1, jobs)
        self.threadsPerTrial = max(1, threadsPerTrial)
        self.interruption = interruption
    }

    /// The file a trial writes: `<trials>/<ruleset>/<submission>/<workload>/study_<k>/trial_<i>.h5`.
    public func trialPath(_ key: TrialKey) -> String {
        "\(trialsDirectory)/\(key.ruleset)/\(key.submission)/\(key.workload)/study_\(key.study)/trial_\(key.trial).h5"
    }

    /// Runs every job not already complete and current; returns what happened. Throws
    /// only when the executable cannot be started at all, before any trial runs.
    public func run(_ jobList: [TrialJob], progress: ProgressReporter) throws -> Summary {
        guard access(executable, X_OK) == 0 else {
            throw PathError(path: executable, action: "start trial processes with", reason: PathError.reason(errno))
        }
        let (stored, unreadable) = storedRecords(of: jobList)
        let states = zip(jobList, stored).map { Self.state(of: $0.0, stored: $0.1) }
        let outcomes = Outcomes(count: jobList.count)
        var started = 0
        let semaphore = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        for (index, job) in jobList.enumerated() {
            guard case .due(let history) = states[index] else {
                progress.finished("(already complete)", summary: "skipped")
                continue
            }
            semaphore.wait()
            guard interruption.receivedSignal == nil else {
                semaphore.signal()
                break
            }
            started += 1
            group.enter()
            let runner = self
            DispatchQueue.global().async {
                defer {
                    semaphore.signal()
                    group.leave()
                }
                outcomes[index] = runner.runChild(job, history: history, progress: progress)
            }
        }
        group.wait()
        var summary = summary(of: jobList, states: states, outcomes: outcomes.values, started: started)
        summary.unreadable = unreadable
        return summary
    }

    /// The record stored at each job's path (nil where there is no file or it cannot be
    /// read), read through `reader` when set; and the files that exist but could not be
    /// read, with why (they are redone).
    func storedRecords(of jobList: [TrialJob]) -> (records: [TrialRecord?], unreadable: [(path: String, reason: String)]) {
        let paths = jobList.map { trialPath($0.request.key) }
        let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
        let results: [Result<ResultsContents, any Error>] = reader.map { reader in
            reader.read(existing).map { $0.mapError { $0 as any Error } }
        } ?? existing.map { path in Result { try ResultsFile.read(path) } }
        var byPath: [String: TrialRecord] = [:]
        var unreadable: [(path: String, reason: String)] = []
        for (path, result) in zip(existing, results) {
            switch result {
            case .success(let contents):
                if let record = contents.trials.first { byPath[path] = record }
            case .failure(let error):
                unreadable.append((path, "\(error)"))
            }
        }
        return (paths.map { byPath[$0] }, unreadable)
    }

    /// Whether `job`'s file is complete, holds this very trial (same plan and spec, see
    /// `TrialExecution.isRecord(_:of:on:)`) and did not crash, so a rerun skips it.
    public func hasFinished(_ job: TrialJob) -> Bool {
        if case .current = storedState(of: job) { return true }
        return false
    }

    /// What stands at `job`'s path: a current record to keep, or a trial to run with the
    /// history of earlier attempts (a stored `crashed` record of this same trial adds its
    /// own message to the history it already carried).
    public func storedState(of job: TrialJob) -> StoredTrial {
        Self.state(of: job, stored: storedRecords(of: [job]).records[0])
    }

    /// `storedState(of:)` for the record already read from `job`'s path.
    static func state(of job: TrialJob, stored: TrialRecord?) -> StoredTrial {
        guard let record = stored, TrialExecution.isRecord(record, of: job.request, on: job.spec) else { return .due(history: []) }
        guard record.status == .crashed else { return .current(record) }
        return .due(history: record.history + ["\(record.status.rawValue): \(Self.firstLine(of: record.message))"])
    }

    /// How one started child ended.
    enum ChildOutcome: Sendable {
        case finished(TrialRecord)
        case failed(TrialFailure)
        case interrupted
    }

    /// Runs one child and reports how it ended.
    private func runChild(_ job: TrialJob, history: [String], progress: ProgressReporter) -> ChildOutcome {
        let key = job.request.key
        let path = trialPath(key)
        let label = "\(key.workload) × \(key.submission) study \(key.study) trial \(key.trial)"
        let logPath = Self.logPath(forTrialAt: path)
        Self.removeTemporaries(ofTrialAt: path)
        progress.started(label)
        let message: String
        do {
            guard let status = try runProcess(job, history: history, path: path, logPath: logPath) else {
                Self.removeTemporaries(ofTrialAt: path)
                progress.finished(label, summary: "interrupted")
                return .interrupted
            }
            if status == .exited(0), let record = try? ResultsFile.read(path).trials.first {
                progress.finished(label, summary: Self.summary(of: record))
                return .finished(record)
            }
            Self.removeTemporaries(ofTrialAt: path)
            if interruption.receivedSignal != nil {
                progress.finished(label, summary: "interrupted")
                return .interrupted
            }
            if status == .exited(TrialExecution.cannotWriteExitStatus) {
                let failure = unwritten(key, path: path, logPath: logPath)
                progress.finished(label, summary: "not written (\(failure.message))")
                return .failed(failure)
            }
            message = status.description
        } catch {
            message = "could not start trial process: \(PathError.describe(error))"
        }
        return recordCrash(job, message: message, history: history, logPath: logPath, label: label, progress: progress)
    }

    /// How a child process ended.
    enum Termination: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case .signalled(let number): "trial process killed by signal \(number)"
            case .exited(let status): "trial process exited with status \(status) without a complete trial file"
            }
        }
    }

    /// Starts the child with its output going to `logPath` and waits for it; nil when
    /// the run was interrupted before it could start.
    private func runProcess(_ job: TrialJob, history: [String], path: String, logPath: String) throws -> Termination? {
        try Self.makeDirectories((path as NSString).deletingLastPathComponent)
        let descriptor = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw PathError(path: logPath, action: "create the log file", reason: PathError.reason(errno))
        }
        let log = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(for: job, output: path, history: history)
        process.standardOutput = log
        process.standardError = log
        guard try interruption.launch(process) else { return nil }
        process.waitUntilExit()
        interruption.exited(process)
        return process.terminationReason == .uncaughtSignal
            ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
    }

    /// The failure of a child that could not write its file: its own error line names the path.
    private func unwritten(_ key: TrialKey, path: String, logPath: String) -> TrialFailure {
        let log = Self.tail(ofFileAt: logPath, lines: 40).split(separator: "\n")
        let own = "trial process could not write \(PathError.quoted(path)) (exit status \(TrialExecution.cannotWriteExitStatus))"
        let reason = log.last { $0.hasPrefix("error: ") }.map { ": " + $0.dropFirst("error: ".count) } ?? ""
        let message = own + reason
        return TrialFailure(key: key, path: path, kind: "not written", message: message)
    }

    /// Writes a `crashed` record for a child that died; reports, and goes on, when even
    /// that record cannot be written.
    private func recordCrash(
        _ job: TrialJob, message: String, history: [String], logPath: String, label: String, progress: ProgressReporter
    ) -> ChildOutcome {
        let path = trialPath(job.request.key)
        let tail = Self.tail(ofFileAt: logPath, lines: 8)
        let full = tail.isEmpty ? message : message + "; log tail:\n" + tail
        var failure = TrialFailure(key: job.request.key, path: path, kind: TrialStatus.crashed.rawValue, message: message)
        do {
            let record = TrialExecution.crashedRecord(for: job.request, spec: job.spec, message: full, history: history)
            try TrialFile.write(record, provenance: ProvenanceCollector.current(), to: path)
            progress.finished(label, summary: "crashed (\(message))")
        } catch {
            Self.removeTemporaries(ofTrialAt: path)
            failure.message += "; its crashed record could not be written to \(PathError.quoted(path)): \(error)"
            progress.finished(label, summary: "crashed (\(failure.message))")
        }
        return .failed(failure)
    }

    private func summary(of jobList: [TrialJob], states: [StoredTrial], outcomes: [ChildOutcome?], started: Int) -> Summary {
        var failures: [TrialFailure] = []
        var crashed = 0
        for (index, job) in jobList.enumerated() {
            let path = trialPath(job.request.key)
            switch (states[index], outcomes[index]) {
            case (.current(let record), _), (_, .finished(let record)?):
                if record.status == .error || record.status == .crashed {
                    failures.append(TrialFailure(
                        key: record.key, path: path, kind: record.status.rawValue, message: Self.firstLine(of: record.message)))
                }
            case (_, .failed(let failure)?):
                if failure.kind == TrialStatus.crashed.rawValue { crashed += 1 }
                failures.append(failure)
            case (_, .interrupted?), (_, nil):
                break
            }
        }
        let skipped = states.filter { if case .current = $0 { true } else { false } }.count
        return Summary(
            trialFiles: jobList.map { trialPath($0.request.key) }, skipped: skipped, ran: started, crashed: crashed,
            failures: failures, interruptedBy: interruption.receivedSignal)
    }

    /// Command-line arguments of `optbench trial` for `job`.
    public func arguments(for job: TrialJob, output: String, history: [String] = []) -> [String] {
        let key = job.request.key
        var arguments = [
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
            "--stop-with-parent", String(getpid()),
        ]
        if let steps = job.request.maximumSteps { arguments += ["--max-steps", String(steps)] }
        if let period = job.request.evalEverySteps { arguments += ["--eval-every-steps", String(period)] }
        if !history.isEmpty { arguments += ["--history", JSONValue.array(history.map { .string($0) }).serialized] }
        if !job.request.stopAtTarget { arguments.append("--no-target-stop") }
        return arguments
    }

    /// One-line summary of a finished trial.
    static func summary(of record: TrialRecord) -> String {
        let time = record.timeToTarget.map { String(format: "target at %.2fs", $0) } ?? "target missed"
        let message = record.status == .error ? ": \(firstLine(of: record.message))" : ""
        return "\(record.status.rawValue)\(message), \(time)"
    }

    /// The trial process's log beside its file: `trial_<i>.log`.
    static func logPath(forTrialAt path: String) -> String {
        path.hasSuffix(".h5") ? String(path.dropLast(3)) + ".log" : path + ".log"
    }

    /// A message's first line, without the log tail a crash message carries.
    static func firstLine(of message: String) -> String {
        let line = message.prefix { $0 != "\n" }
        if let range = line.range(of: "; log tail:") { return String(line[..<range.lowerBound]) }
        return String(line)
    }

    static func tail(ofFileAt path: String, lines: Int) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Removes the temporaries (`<path>.tmp-*`) a trial process killed while writing
    /// `path` leaves beside it.
    static func removeTemporaries(ofTrialAt path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            unlink(directory + "/" + name)
        }
    }

    /// Creates `path` and its missing parents (`mkdir -p`), naming the folder that could
    /// not be created and why.
    public static func makeDirectories(_ path: String) throws {
        if let failure = FileAccess.createFolders(path) {
            throw PathError(path: failure.folder, action: "create the folder", reason: failure.reason)
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw PathError(path: path, action: "write into the folder", reason: PathError.reason(errno))
        }
    }
}

/// A file-system operation that failed: what was attempted on which path, and the
/// system's reason (`strerror`), never Foundation's generic wording.
public struct PathError: Error, CustomStringConvertible {
    public var path: String
    /// What was attempted, e.g. "create the folder".
    public var action: String
    public var reason: String

    public init(path: String, action: String, reason: String) {
        self.path = path
        self.action = action
        self.reason = reason
    }

    public var description: String { "cannot \(action) \(Self.quoted(path)): \(reason)" }

    /// `path` in double quotes, whole, with quotes, backslashes and control characters
    /// escaped so that a hostile path cannot forge lines of output.
    public static func quoted(_ path: String) -> String {
        var result = "\""
        for scalar in path.unicodeScalars {
            switch scalar {
            case "\"", "\\": result += "\\" + String(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `error`'s own description, or for a Foundation error carrying a POSIX code,
    /// `strerror` of that code instead of Foundation's generic wording.
    public static func describe(_ error: any Error) -> String {
        if error is PathError { return "\(error)" }
        let bridged = error as NSError
        if bridged.domain == NSPOSIXErrorDomain { return reason(Int32(bridged.code)) }
        if let underlying = bridged.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return reason(Int32(underlying.code))
        }
        return "\(error)"
    }

    /// `strerror(code)`.
    public static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// Outcomes of started children, filled in from worker threads.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [SuiteRunner.ChildOutcome?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    subscript(index: Int) -> SuiteRunner.ChildOutcome? {
        get { lock.withLock { storage[index] } }
        set { lock.withLock { storage[index] = newValue } }
    }

    var values: [SuiteRunner.ChildOutcome?] { lock.withLock { storage } }
}

extension Hyperparameters {
    /// Compact JSON with sorted keys, as passed to `optbench trial --hyperparameters`.
    public var jsonText: String {
        JSONValue.object(values.mapValues { .number($0) }).serialized
    }
}
