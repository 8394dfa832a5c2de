import Core
import Foundation
import Results

/// Feeds seeded mutations of a real results file to the `optbench` commands that read
/// results (`show`, `score`, `merge`, `plot`), each run as its own process under a time
/// limit, and classifies what every run did. The promise it checks: no signal, no hang,
/// and every error names the file.
public struct ResultsFuzzer: Sendable {
    /// A command under test.
    public enum Command: String, Sendable, CaseIterable {
        case show, score, merge, plot

        /// Arguments for reading `file`, writing anything into `scratch`.
        func arguments(file: String, scratch: String) -> [String] {
            switch self {
            case .show: ["show", file]
            case .score: ["score", file]
            case .merge: ["merge", file, "--output", scratch + "/merged.h5"]
            case .plot: ["plot", file, "--output", scratch + "/plots"]
            }
        }
    }

    /// What one run did.
    public enum Outcome: Sendable, Equatable {
        /// Exit 0: the file was read (the mutation touched nothing that was read, or a
        /// value the layout cannot check).
        case accepted
        /// A non-zero exit with a message naming the file.
        case cleanError
        /// A non-zero exit whose message does not name the file, or that looks like a trap.
        case unclearError(String)
        case signal(Int32)
        case hang
    }

    /// One run: which mutation, which command, what happened.
    public struct Run: Sendable {
        public var mutation: ResultsFileMutation
        public var command: Command
        public var outcome: Outcome
    }

    /// What the isolated reader made of one mutated file (read in this process's child).
    public enum Reading: Sendable, Equatable {
        /// Read, and equal bit for bit to the original's contents.
        case unchanged
        /// Read, with contents that differ from the original's: a change nobody noticed.
        case silentlyDifferent
        case rejected
        /// The reader's child died (libhdf5 crashed on the file) or overran its time limit.
        case readerCrashed
        case readerHung
    }

    public var executable: String
    public var commands: [Command]
    /// Seconds a command may run before it counts as hung.
    public var timeLimit: Double
    /// Seconds the commands' isolated readers get per file (`OPTBENCH_READ_TIME_LIMIT`).
    public var readerTimeLimit: Double

    public init(executable: String, commands: [Command] = Command.allCases, timeLimit: Double = 60, readerTimeLimit: Double = 10) {
        self.executable = executable
        self.commands = commands
        self.timeLimit = timeLimit
        self.readerTimeLimit = readerTimeLimit
    }

    /// Mutates `original` `count` times under `seed`; runs each command in `commands`
    /// whose turn it is (`commandsPerMutation` of them, in rotation) on each mutated
    /// file inside `workDirectory`, and reads each file once through the isolated reader.
    public func run(
        original: String, count: Int, seed: UInt64, commandsPerMutation: Int, workDirectory: String,
        report: (Int, ResultsFileMutation, Reading, [Run]) -> Void = { _, _, _, _ in }
    ) throws -> (runs: [Run], readings: [Reading]) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: original)))
        let reader = IsolatedResultsReader(executable: executable, baseTimeLimit: readerTimeLimit)
        let originalContents = try reader.read(original).encoded()
        var runs: [Run] = []
        var readings: [Reading] = []
        for index in 0..<count {
            let mutation = ResultsFileMutation.make(index: index, seed: seed, size: bytes.count)
            let scratch = (workDirectory as NSString).appendingPathComponent("mutation_\(index)")
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let mutated = mutation.applied(to: bytes)
            let reading = Self.reading(of: reader.read([try write(mutated, in: scratch, name: "input")]).first, original: originalContents)
            var mutationRuns: [Run] = []
            for turn in 0..<min(commandsPerMutation, commands.count) {
                let command = commands[(index * commandsPerMutation + turn) % commands.count]
                let file = try write(mutated, in: scratch, name: command.rawValue)
                let outcome = runCommand(command.arguments(file: file, scratch: scratch), file: file, in: scratch)
                mutationRuns.append(Run(mutation: mutation, command: command, outcome: outcome))
            }
            runs += mutationRuns
            readings.append(reading)
            report(index, mutation, reading, mutationRuns)
        }
        return (runs, readings)
    }

    /// A real trial file to mutate, written into `directory`: a short trial of regression ×
    /// adamw (200 steps, evaluated every 25), seeded, so every run fuzzes the same bytes
    /// apart from provenance and timings.
    public static func makeTrialFile(in directory: String, workloadsDirectory: String) throws -> String {
        let spec = try SpecCatalog(directory: workloadsDirectory).spec(named: "regression")
        let request = TrialRequest(
            key: TrialKey(submission: "adamw", workload: "regression", ruleset: "external", study: 0, trial: 0),
            hyperparameters: Hyperparameters(["learning_rate": 0.01, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 1e-4, "warmup_fraction": 0.05]),
            seed: 7, budgetScale: 1, stopAtTarget: false, maximumSteps: 200, evalEverySteps: 25)
        let provenance = ProvenanceCollector.current()
        let record = try TrialExecution.run(request, spec: spec, provenance: provenance, history: ["crashed: an earlier attempt"])
        let path = (directory as NSString).appendingPathComponent("original.h5")
        try TrialFile.write(record, provenance: provenance, to: path)
        return path
    }

    private func write(_ bytes: [UInt8], in directory: String, name: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent("\(name).h5")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private static func reading(of result: Result<ResultsContents, IsolatedResultsReader.Failure>?, original: [UInt8]) -> Reading {
        switch result {
        case .success(let contents): return contents.encoded() == original ? .unchanged : .silentlyDifferent
        case .failure(let failure) where failure.reason.contains("reader process was killed"): return .readerCrashed
        case .failure(let failure) where failure.reason.contains("did not finish within"): return .readerHung
        default: return .rejected
        }
    }

    /// Runs `optbench` with `arguments` under the time limit and classifies the result.
    private func runCommand(_ arguments: [String], file: String, in directory: String) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment[IsolatedResultsReader.timeLimitVariable] = String(readerTimeLimit)
        process.environment = environment
        let logPath = (directory as NSString).appendingPathComponent("output.log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { return .unclearError("cannot create \(logPath)") }
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        do { try process.run() } catch { return .unclearError("cannot start: \(error)") }
        let deadline = Date().addingTimeInterval(timeLimit)
        while process.isRunning, Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return .hang
        }
        if process.terminationReason == .uncaughtSignal { return .signal(process.terminationStatus) }
        if process.terminationStatus == 0 { return .accepted }
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        let trap = ["Fatal error", "Stack dump", "NSError", "could not be completed"].first { text.contains($0) }
        guard trap == nil, text.contains(file) else { return .unclearError(String(text.prefix(300))) }
        return .cleanError
    }
}
