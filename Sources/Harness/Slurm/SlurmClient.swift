import Core
import Foundation

/// Slurm's client commands (`sbatch`, `scontrol`, `squeue`), run as processes with their
/// arguments as an argument vector (never through a shell), and the parsing of what they
/// print. The parsers are separate static functions so that tests feed them text.
public struct SlurmClient: Sendable {
    /// Where the commands are looked up when not given as paths (`PATH`).
    public var searchPath: String

    public init(searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") {
        self.searchPath = searchPath
    }

    /// A Slurm command that could not be run or failed.
    public struct Failure: Error, CustomStringConvertible {
        public var command: String
        public var message: String
        public var description: String { "\(command): \(message)" }
    }

    /// The full path of `command` on `searchPath`, nil when absent (no Slurm client here).
    public func locate(_ command: String) -> String? {
        for folder in searchPath.split(separator: ":") where access("\(folder)/\(command)", X_OK) == 0 {
            return "\(folder)/\(command)"
        }
        return nil
    }

    /// Whether Slurm's client commands are installed.
    public var isAvailable: Bool { locate("sbatch") != nil && locate("scontrol") != nil }

    /// Runs `command` with `arguments`; returns its standard output, or throws with its
    /// standard error when it fails.
    public func output(_ command: String, _ arguments: [String]) throws -> String {
        guard let path = locate(command) else {
            throw Failure(command: command, message: "not found on PATH (is Slurm's client installed?)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw Failure(command: command, message: "could not start: \(PathError.describe(error))")
        }
        // Drain both pipes while the command runs, so a long output cannot block it.
        let errorData = SendableData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorData.value = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = String(decoding: errorData.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(command: command, message: "exit status \(process.terminationStatus): \(PlainName.escaped(text))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The cluster's `MaxArraySize` (`scontrol show config`).
    public func maxArraySize() throws -> Int {
        let text = try output("scontrol", ["show", "config"])
        guard let size = Self.configValue("MaxArraySize", in: text).flatMap(Int.init), size > 0 else {
            throw Failure(command: "scontrol show config", message: "no MaxArraySize in its output")
        }
        return size
    }

    /// Submits the batch script at `script` with `options`; returns the job's id.
    public func submit(script: String, options: [String]) throws -> String {
        let text = try output("sbatch", ["--parsable"] + options + [script])
        guard let id = Self.jobID(fromParsable: text) else {
            throw Failure(command: "sbatch", message: "printed no job id: \(PlainName.escaped(text))")
        }
        return id
    }

    /// How each task of array job `jobID` stands or ended, by task index (`scontrol show
    /// job`: the controller keeps finished jobs for `MinJobAge` seconds, no accounting
    /// database needed). Empty when the controller no longer knows the job.
    public func arrayTasks(of jobID: String) throws -> [Int: TaskState] {
        do {
            return Self.arrayTasks(fromShowJob: try output("scontrol", ["show", "job", "--oneliner", jobID]))
        } catch let failure as Failure where failure.message.contains("Invalid job id") {
            return [:]
        }
    }

    /// The states of a job's array tasks still in the queue (`squeue`), by task index.
    public func queuedTasks(of jobID: String) throws -> [Int: TaskState] {
        Self.queuedTasks(fromSqueue: try squeue(jobID, format: "%K %T %r"))
    }

    /// Whether job `jobID` (or any task of it) is still queued or running.
    public func isQueued(_ jobID: String) throws -> Bool {
        !(try squeue(jobID, format: "%T").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    /// `squeue` lines of `jobID`, one per array task; empty when the controller no longer
    /// knows the job.
    private func squeue(_ jobID: String, format: String) throws -> String {
        do {
            return try output("squeue", ["--noheader", "--array", "--jobs", jobID, "--format", format])
        } catch let failure as Failure where failure.message.contains("Invalid job id") {
            return ""
        }
    }
}

/// One array task's state and the scheduler's reason for it, as Slurm words (`TIMEOUT`,
/// `TimeLimit`, `PREEMPTED`, `NODE_FAIL`...).
public struct TaskState: Sendable, Equatable {
    public var state: String
    public var reason: String

    /// Keeps only ASCII letters, digits, `_`, `-` and `,` of each (what Slurm's state and
    /// reason words are made of), so that text from a command's output is plain in messages.
    public init(state: String, reason: String) {
        self.state = Self.plain(state)
        self.reason = Self.plain(reason)
    }

    private static func plain(_ word: String) -> String {
        String(word.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-,".unicodeScalars.contains($0)) }.prefix(64))
    }

    /// States in which the task no longer runs and did not end on its own: the scheduler
    /// (or a person, through it) stopped it.
    public static let stoppedByScheduler: Set<String> = [
        "TIMEOUT", "PREEMPTED", "NODE_FAIL", "CANCELLED", "OUT_OF_MEMORY", "DEADLINE", "BOOT_FAIL", "REVOKED",
    ]

    /// Whether the task is still queued or running.
    public var isActive: Bool { ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"].contains(state) }

    /// "TIMEOUT (TimeLimit)", the reason left out when Slurm gives none.
    public var description: String { reason.isEmpty || reason == "None" ? state : "\(state) (\(reason))" }
}

extension SlurmClient {
    /// The value of `key` in `scontrol show config` output (`Key = value` lines).
    public static func configValue(_ key: String, in text: String) -> String? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == key {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The job id `sbatch --parsable` prints (`id` or `id;cluster`).
    public static func jobID(fromParsable text: String) -> String? {
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        return !id.isEmpty && id.allSatisfy(\.isASCII) && id.allSatisfy(\.isNumber) ? id : nil
    }

    /// Array tasks from `scontrol show job --oneliner` output: one line per task (or per
    /// group of tasks not yet started, `ArrayTaskId=0-5%1`).
    public static func arrayTasks(fromShowJob text: String) -> [Int: TaskState] {
        var tasks: [Int: TaskState] = [:]
        for line in text.split(separator: "\n") {
            var fields: [Substring: Substring] = [:]
            for word in line.split(separator: " ") {
                let parts = word.split(separator: "=", maxSplits: 1)
                if parts.count == 2, fields[parts[0]] == nil { fields[parts[0]] = parts[1] }
            }
            guard let ids = fields["ArrayTaskId"], let state = fields["JobState"] else { continue }
            let taskState = TaskState(state: String(state), reason: String(fields["Reason"] ?? ""))
            for index in taskIndices(ids) { tasks[index] = taskState }
        }
        return tasks
    }

    /// Array tasks from `squeue --array --format '%K %T %r'` output.
    public static func queuedTasks(fromSqueue text: String) -> [Int: TaskState] {
        var tasks: [Int: TaskState] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 2)
            guard words.count >= 2 else { continue }
            let state = TaskState(state: String(words[1]), reason: words.count > 2 ? String(words[2]) : "")
            for index in taskIndices(words[0]) { tasks[index] = state }
        }
        return tasks
    }

    /// Task indices of an array range expression: `3`, `0-5`, `0-5%2`, `1,4-6`, `[0-9]`;
    /// ranges past 10⁷ tasks are ignored.
    public static func taskIndices(_ text: Substring) -> [Int] {
        let body = text.split(separator: "%").first.map { $0.filter { $0 != "[" && $0 != "]" } } ?? ""
        var indices: [Int] = []
        for part in body.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1)
            guard let low = Int(bounds[0]), low >= 0 else { continue }
            let high = bounds.count == 2 ? (Int(bounds[1]) ?? -1) : low
            guard high >= low, high - low < 10_000_000 else { continue }
            indices += Array(low...high)
        }
        return indices
    }
}

/// A value filled in on one thread and read on another after a `DispatchGroup` wait.
private final class SendableData: @unchecked Sendable {
    var value = Data()
}
