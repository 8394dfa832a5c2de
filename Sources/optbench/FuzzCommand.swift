import ArgumentParser
import Core
import Foundation
import Harness
import Results

/// `optbench fuzz`: seeded mutations of a real trial file fed to show, score, merge and
/// plot, each a process under a time limit, with a table of what happened. `make test`
/// runs a short version (Tests/HarnessTests/ResultsFuzzTests.swift); this is the long one.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Feed seeded mutations of a real trial file to show, score, merge and plot; count signals, hangs and clean errors.")

    @Option(help: "Results file to mutate (default: a trial file made now by a short real trial of regression × adamw).")
    var file: String?
    @Option(help: "Number of mutated files.") var mutations = 1000
    @Option(parsing: .unconditional, help: "Seed of the mutations.") var seed: UInt64 = 1
    @Option(help: "Comma-separated commands to run (show, score, merge, plot).") var commands = "show,score,merge,plot"
    @Option(help: "Commands run on each mutated file, in rotation.") var perMutation = 4
    @Option(help: "Seconds a command may run before it counts as hung.") var timeLimit: Double = 60
    @Option(help: "Seconds the commands' isolated readers get per file.") var readerTimeLimit: Double = 10
    @Option(help: "Folder of workload specs (for the default trial file).") var workloadsDir = "workloads"
    @Flag(help: "Print one line per mutated file.") var verbose = false

    mutating func validate() throws {
        guard (1...1_000_000).contains(mutations) else { throw ValidationError("--mutations must be in 1...1000000, got \(mutations)") }
        guard (1...4).contains(perMutation) else { throw ValidationError("--per-mutation must be in 1...4, got \(perMutation)") }
        guard timeLimit.isFinite, timeLimit > readerTimeLimit, readerTimeLimit > 0 else {
            throw ValidationError("--time-limit must exceed --reader-time-limit, and both must be positive")
        }
        _ = try parsedCommands()
    }

    private func parsedCommands() throws -> [ResultsFuzzer.Command] {
        try commands.split(separator: ",").map { name in
            guard let command = ResultsFuzzer.Command(rawValue: String(name)) else {
                throw ValidationError("--commands: unknown command \(PlainName.escaped(String(name))) (expected show, score, merge or plot)")
            }
            return command
        }
    }

    mutating func run() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-fuzz-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let original = try file ?? ResultsFuzzer.makeTrialFile(in: work, workloadsDirectory: workloadsDir)
        let fuzzer = ResultsFuzzer(
            executable: ThisExecutable.path, commands: try parsedCommands(), timeLimit: timeLimit, readerTimeLimit: readerTimeLimit)
        let start = Date()
        let verbose = self.verbose
        let (runs, readings) = try fuzzer.run(
            original: original, count: mutations, seed: seed, commandsPerMutation: perMutation, workDirectory: work
        ) { index, mutation, reading, runs in
            guard verbose || runs.contains(where: { !Self.isSafe($0.outcome) }) else { return }
            print("#\(index) \(mutation): reader \(reading); " + runs.map { "\($0.command.rawValue) \($0.outcome)" }.joined(separator: ", "))
        }
        print(Self.table(runs: runs, readings: readings, seconds: Date().timeIntervalSince(start), original: original))
        if runs.contains(where: { !Self.isSafe($0.outcome) }) { throw ExitCode(1) }
    }

    static func isSafe(_ outcome: ResultsFuzzer.Outcome) -> Bool {
        outcome == .accepted || outcome == .cleanError
    }

    /// The summary: per command, and for the isolated reader.
    static func table(runs: [ResultsFuzzer.Run], readings: [ResultsFuzzer.Reading], seconds: Double, original: String) -> String {
        var lines = ["fuzzed \(readings.count) mutations of \(original) in \(String(format: "%.0f", seconds)) s", "",
                     "| command | runs | clean error | accepted | unclear error | signal | hang |", "|---|---|---|---|---|---|---|"]
        for command in ResultsFuzzer.Command.allCases {
            let mine = runs.filter { $0.command == command }.map(\.outcome)
            guard !mine.isEmpty else { continue }
            let signals = mine.filter { if case .signal = $0 { true } else { false } }.count
            let unclear = mine.filter { if case .unclearError = $0 { true } else { false } }.count
            lines.append("| \(command.rawValue) | \(mine.count) | \(mine.filter { $0 == .cleanError }.count) | \(mine.filter { $0 == .accepted }.count) | \(unclear) | \(signals) | \(mine.filter { $0 == .hang }.count) |")
        }
        let count = { (kind: ResultsFuzzer.Reading) in readings.filter { $0 == kind }.count }
        lines += ["", "| isolated reader | files | unchanged | silently different | rejected | reader child crashed | reader child hung |",
                  "|---|---|---|---|---|---|---|",
                  "| read-results | \(readings.count) | \(count(.unchanged)) | \(count(.silentlyDifferent)) | \(count(.rejected)) | \(count(.readerCrashed)) | \(count(.readerHung)) |"]
        return lines.joined(separator: "\n")
    }
}
