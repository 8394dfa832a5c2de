import ArgumentParser
import Benchmarks
import Core
import Foundation
import Submissions
import Tensor

/// `optbench perf`: measured throughput of the numerical core beside this machine's limits
/// (the tables are `Benchmarks.PerfReport`'s; this command reads and checks the options).
struct Perf: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure sgemm, memory bandwidth and layer throughput (build with -c release).")

    @Option(parsing: .unconditional, help: "OpenBLAS threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Folder of workload specs.")
    var workloadsDir = "workloads"

    @Option(parsing: .unconditional, help: "Minimum seconds spent timing each entry.")
    var seconds: Double = 0.5

    @Option(help: "Only these workloads in the step table (comma-separated base names).")
    var workloads: String?

    @Flag(help: "Only the step table (no update, layer or ceiling tables).")
    var stepsOnly = false

    @Option(help: "Only the update table, for these submissions (comma-separated registry names), e.g. to compare an update rule before and after a change.")
    var updates: String?

    mutating func validate() throws {
        _ = try ArgumentCheck.nameList(workloads, argument: "--workloads")
        _ = try updateSubmissions()
        try ArgumentCheck.within(threads, 1...1024, argument: "--threads")
        try ArgumentCheck.positive(seconds, atMost: 3600, argument: "--seconds")
        try ArgumentCheck.existingFolder(workloadsDir, argument: "--workloads-dir")
    }

    mutating func run() throws {
        BLAS.setThreadCount(threads)
        try PerfReport(
            seconds: seconds, workloadsDirectory: workloadsDir,
            workloads: try ArgumentCheck.nameList(workloads, argument: "--workloads"), stepsOnly: stepsOnly,
            updates: try updateSubmissions()
        ).run()
    }

    /// The submissions `--updates` names (each must be registered), nil without it.
    private func updateSubmissions() throws -> [any Submission.Type]? {
        guard let names = try ArgumentCheck.nameList(updates, argument: "--updates") else { return nil }
        do {
            return try UpdateTable.submissions(named: names)
        } catch let error as InputError {
            throw ValidationError(error.description)
        }
    }
}
