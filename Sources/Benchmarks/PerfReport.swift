import Core
import Foundation
import Harness
import Submissions
import Tensor

/// What `optbench perf` measures and prints: this machine's limits, then the optimizer
/// update table, the layer table with the ceiling of layers too small to share between
/// threads, and the training-step table, each beside the limit measured around it.
public struct PerfReport {
    /// Minimum seconds spent timing each entry.
    public var seconds: Double
    /// Folder of workload specs (the step table's workloads).
    public var workloadsDirectory: String
    /// Only these base workloads in the step table (nil: all with an implementation).
    public var workloads: [String]?
    /// Only the step table.
    public var stepsOnly: Bool
    /// Only the update table, for these submissions (nil: every table, with the default
    /// update rows).
    public var updates: [any Submission.Type]?

    public init(
        seconds: Double, workloadsDirectory: String, workloads: [String]?, stepsOnly: Bool, updates: [any Submission.Type]?
    ) {
        self.seconds = seconds
        self.workloadsDirectory = workloadsDirectory
        self.workloads = workloads
        self.stepsOnly = stepsOnly
        self.updates = updates
    }

    /// Measures and prints the tables, on the BLAS thread count already set.
    public func run() throws {
        #if DEBUG
        print("warning: debug build; timings are meaningless. Use `swift run -c release optbench perf` or `make perf`.")
        #endif
        print("machine: \(ProvenanceCollector.cpuModel() ?? "unknown CPU"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("BLAS: \(BLAS.configuration), threads \(BLAS.threadCount)")
        print("build: \(ProvenanceCollector.buildDescription)")
        if let updates { return try printUpdateTable(updates) }
        if !stepsOnly { try printUpdateAndLayerTables() }
        let sgemm = { MachineLimits.sgemmRate(size: 1024, seconds: seconds) }
        let (steps, stepPeak) = try Bracket.around(by: sgemm) {
            try WorkloadBenchmarks.measure(SpecCatalog(directory: workloadsDirectory), only: workloads, seconds: seconds)
        }
        print(String(format: "sgemm 1024³ before and after the step table: %.1f and %.1f GFLOP/s (ratios use the higher)", stepPeak.before, stepPeak.after))
        print("training step (loss and gradient on a fresh batch, default batch size)")
        printLines(WorkloadBenchmarks.tableLines(steps, sgemmRate: stepPeak.higher))
    }

    /// The optimizer-update table against copy bandwidth, the layer table against sgemm,
    /// and the ceiling of layers too small to share between threads.
    private func printUpdateAndLayerTables() throws {
        try printUpdateTable(UpdateTable.defaultSubmissions)
        // The machine's rate drifts within a table, so each layer gets its own bracket.
        let rowSeconds = seconds / 2
        let rowSgemm = { MachineLimits.sgemmRate(size: 1024, seconds: rowSeconds) }
        let rows = LayerBenchmarks.workloadCases.map { testCase in
            Bracket.around(by: rowSgemm) { LayerBenchmarks.measure(testCase, seconds: seconds) }
        }
        print("layers (each ratio uses the higher of the sgemm 1024³ rates measured just before and just after its row)")
        printLines(LayerBenchmarks.tableLines(rows))
        let oneThread = MachineLimits.sgemmRate(size: 1024, seconds: rowSeconds, threads: 1)
        printLines(LayerBenchmarks.smallProductCeilingLines(rows.map(\.0), oneThreadRate: oneThread))
        print("")
    }

    /// The optimizer-update table against copy bandwidth measured just before and after it.
    private func printUpdateTable(_ submissions: [any Submission.Type]) throws {
        let (updates, bandwidth) = try UpdateTable.measure(submissions, seconds: seconds)
        printLines(UpdateTable.lines(updates, bandwidth: bandwidth))
        print("")
    }

    private func printLines(_ lines: [String]) {
        for line in lines { print(line) }
    }
}
