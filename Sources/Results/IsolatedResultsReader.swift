import Foundation

/// Reads results files from strangers in a child process with a time limit, so that a
/// file which crashes or hangs libhdf5 becomes an error naming that file instead of a
/// dead or stuck command.
///
/// The validated in-process reader (`ResultsFile.read`) checks every size and name it
/// can, but libhdf5 itself still parses the raw bytes, and for some corruptions of its own
/// structures (global heaps, B-trees, object headers) it segfaults, aborts or loops. So
/// commands that read files they did not just write (`show`, `score`, `plot`, `merge`,
/// and `run` when it resumes) hand the paths to one child (`optbench read-results`),
/// which reads them in order and writes each file's contents back in their lossless byte
/// form (`ResultsContents.encoded()`), or the reading error. When the child dies or
/// overruns the time limit on a file, that file is reported and a new child goes on with
/// the rest: one process start per run of healthy files, not one per file.
public struct IsolatedResultsReader: Sendable {
    /// The executable to start; it must answer `read-results` (`serve(input:output:)`).
    public var executable: String
    /// Seconds allowed per file, before its size is counted.
    public var baseTimeLimit: Double
    /// Further seconds per MiB of the file.
    public var secondsPerMebibyte: Double

    /// The subcommand the child runs.
    public static let subcommand = "read-results"

    /// Environment variable that sets `baseTimeLimit` for the commands' readers (seconds).
    public static let timeLimitVariable = "OPTBENCH_READ_TIME_LIMIT"

    /// A reader of `executable` whose base time limit comes from `OPTBENCH_READ_TIME_LIMIT`
    /// when it holds a positive number of seconds, else 20 s.
    public static func configured(executable: String) -> IsolatedResultsReader {
        let text = ProcessInfo.processInfo.environment[timeLimitVariable] ?? ""
        let seconds = Double(text).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 20
        return IsolatedResultsReader(executable: executable, baseTimeLimit: seconds)
    }

    public init(executable: String, baseTimeLimit: Double = 20, secondsPerMebibyte: Double = 0.5) {
        self.executable = executable
        self.baseTimeLimit = baseTimeLimit
        self.secondsPerMebibyte = secondsPerMebibyte
    }

    /// Why a file could not be read, in words that name the file.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { reason.hasPrefix(path) ? reason : "\(path): \(reason)" }
    }

    /// The contents of each of `paths`, in order, or why it could not be read.
    public func read(_ paths: [String]) -> [Result<ResultsContents, Failure>] {
        // A child that dies while its list of paths is being written must give this
        // process a write error, not a SIGPIPE that kills it.
        signal(SIGPIPE, SIG_IGN)
        var results: [Result<ResultsContents, Failure>] = []
        while results.count < paths.count {
            let remaining = Array(paths[results.count...])
            do {
                try readInOneChild(remaining) { results.append($0) }
            } catch {
                // The child could not even start: every remaining file fails alike.
                let reason = "cannot start the reader process '\(executable)': \(error)"
                results += remaining.map { .failure(Failure(path: $0, reason: reason)) }
            }
        }
        return results
    }

    /// The contents of one file, or a `Failure` naming it.
    public func read(_ path: String) throws -> ResultsContents {
        guard let result = read([path]).first else { throw Failure(path: path, reason: "was not read") }
        return try result.get()
    }

    /// Starts one child for `paths` and delivers results in order until it finishes, dies
    /// or overruns; a death or overrun is delivered as the failure of the file being read.
    private func readInOneChild(_ paths: [String], deliver: (Result<ResultsContents, Failure>) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [Self.subcommand]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let request = Data(paths.flatMap { Array($0.utf8) + [0] })
        let writer = input.fileHandleForWriting
        DispatchQueue.global().async {
            try? writer.write(contentsOf: request)
            try? writer.close()
        }
        var frames = FrameReader(descriptor: output.fileHandleForReading.fileDescriptor)
        defer {
            if process.isRunning { Self.kill(process) }
            process.waitUntilExit()
            try? output.fileHandleForReading.close()
        }
        for path in paths {
            let limit = timeLimit(for: path)
            let deadline = MonotonicDeadline(seconds: limit)
            switch frames.next(before: deadline) {
            case .frame(let kind, let payload):
                deliver(Self.result(path: path, kind: kind, payload: payload))
            case .timedOut:
                Self.kill(process)
                deliver(.failure(Failure(path: path, reason: "reading did not finish within \(Self.seconds(limit)) (libhdf5 hangs on some corrupt files); skipped")))
                return
            case .ended:
                process.waitUntilExit()
                let how = process.terminationReason == .uncaughtSignal
                    ? "was killed by signal \(process.terminationStatus) (\(String(cString: strsignal(process.terminationStatus))))"
                    : "exited with status \(process.terminationStatus)"
                deliver(.failure(Failure(path: path, reason: "the reader process \(how) while reading this file (corrupt HDF5); skipped")))
                return
            }
        }
    }

    /// Kills the child and anything it started (Foundation starts a child in a process
    /// group of its own).
    private static func kill(_ process: Process) {
        let pid = process.processIdentifier
        if getpgid(pid) == pid { Glibc.kill(-pid, SIGKILL) }
        Glibc.kill(pid, SIGKILL)
    }

    private func timeLimit(for path: String) -> Double {
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        return baseTimeLimit + secondsPerMebibyte * Double(bytes) / 1_048_576
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.0f s", value) }

    private static func result(path: String, kind: UInt64, payload: [UInt8]) -> Result<ResultsContents, Failure> {
        guard kind == FrameKind.contents.rawValue else {
            return .failure(Failure(path: path, reason: String(decoding: payload, as: UTF8.self)))
        }
        do {
            return .success(try ResultsContents(decoding: payload))
        } catch {
            return .failure(Failure(path: path, reason: "the reader process returned malformed data: \(error)"))
        }
    }

    // MARK: - The child's side

    /// What a frame holds.
    enum FrameKind: UInt64 {
        case contents = 0
        case error = 1
    }

    /// The child's loop: reads NUL-separated paths from `input` until it ends, then for
    /// each path, in order, writes one frame to `output`: a kind (contents or error), a
    /// byte count and the bytes (`ResultsContents.encoded()`, or the error's text).
    public static func serve(input: FileHandle, output: FileHandle) {
        let request = (try? input.readToEnd()) ?? Data()
        let paths = request.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        for path in paths {
            let frame: (FrameKind, [UInt8])
            do {
                frame = (.contents, try ResultsFile.read(path).encoded())
            } catch {
                frame = (.error, Array("\(error)".utf8))
            }
            var writer = ByteWriter()
            writer.append(frame.0.rawValue)
            writer.append(frame.1.count)
            do {
                try output.write(contentsOf: Data(writer.bytes + frame.1))
            } catch {
                return  // The parent has gone.
            }
        }
    }
}

/// A point in time on the monotonic clock, for polling with a limit.
struct MonotonicDeadline {
    private let end: UInt64

    init(seconds: Double) {
        end = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
    }

    /// Milliseconds left, at least 0.
    var millisecondsLeft: Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= end ? 0 : Int32(clamping: (end - now) / 1_000_000)
    }
}

/// Reads frames (`kind`, `count`, bytes) from a pipe, waiting at most until a deadline.
struct FrameReader {
    enum Outcome {
        case frame(kind: UInt64, payload: [UInt8])
        case timedOut
        /// The pipe closed (or gave malformed data) before a whole frame.
        case ended
    }

    let descriptor: Int32
    private var buffer: [UInt8] = []

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// The largest frame accepted (4 GiB): beyond it the data is taken as malformed.
    static let maximumPayload = 1 << 32

    mutating func next(before deadline: MonotonicDeadline) -> Outcome {
        if let unfinished = fill(to: 16, before: deadline) { return unfinished }
        var header = ByteReader(Array(buffer[0..<16]))
        guard let kind = try? header.uint64(), let count = try? header.int(), (0...Self.maximumPayload).contains(count) else { return .ended }
        if let unfinished = fill(to: 16 + count, before: deadline) { return unfinished }
        let payload = Array(buffer[16..<(16 + count)])
        buffer.removeFirst(16 + count)
        return .frame(kind: kind, payload: payload)
    }

    /// Reads until `count` bytes are buffered (nil), or returns `.timedOut` or `.ended`.
    private mutating func fill(to count: Int, before deadline: MonotonicDeadline) -> Outcome? {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while buffer.count < count {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, deadline.millisecondsLeft)
            if ready < 0, errno == EINTR { continue }
            guard ready != 0 else { return .timedOut }
            guard ready > 0 else { return .ended }
            let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { return .ended }
            buffer.append(contentsOf: chunk[0..<got])
        }
        return nil
    }
}
