import ArgumentParser
import Foundation
import Core
import Harness
import Submissions
import Tensor

/// `optbench perf`: measured throughput of the numerical core beside this machine's limits.
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

    /// The update table's rows when `--updates` is not given.
    static let defaultUpdates: [any Submission.Type] = [AdamW.self, Lion.self, Adafactor.self]

    mutating func validate() throws {
        _ = try ArgumentCheck.nameList(workloads, argument: "--workloads")
        _ = try updateSubmissions()
        try ArgumentCheck.within(threads, 1...1024, argument: "--threads")
        try ArgumentCheck.positive(seconds, atMost: 3600, argument: "--seconds")
        try ArgumentCheck.existingFolder(workloadsDir, argument: "--workloads-dir")
    }

    mutating func run() throws {
        BLAS.setThreadCount(threads)
        #if DEBUG
        print("warning: debug build; timings are meaningless. Use `swift run -c release optbench perf` or `make perf`.")
        #endif
        print("machine: \(ProvenanceCollector.cpuModel() ?? "unknown CPU"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("BLAS: \(BLAS.configuration), threads \(BLAS.threadCount)")
        print("build: \(ProvenanceCollector.buildDescription)")
        if updates != nil { return try printUpdateTable(updateSubmissions()) }
        let sgemm = { Benchmarks.sgemmRate(size: 1024, seconds: seconds) }
        if !stepsOnly { try printUpdateAndLayerTables() }
        let only = try ArgumentCheck.nameList(workloads, argument: "--workloads")
        let (steps, stepPeak) = try Self.bracketed(by: sgemm) {
            try WorkloadBenchmarks.measure(SpecCatalog(directory: workloadsDir), only: only, seconds: seconds)
        }
        print(String(format: "sgemm 1024³ before and after the step table: %.1f and %.1f GFLOP/s (ratios use the higher)", stepPeak.before, stepPeak.after))
        print("training step (loss and gradient on a fresh batch, default batch size)")
        WorkloadBenchmarks.printTable(steps, sgemmRate: stepPeak.higher)
    }

    /// The optimizer-update table against copy bandwidth, the layer table against sgemm,
    /// and the ceiling of layers too small to share between threads.
    private func printUpdateAndLayerTables() throws {
        try printUpdateTable(Self.defaultUpdates)
        // The machine's rate drifts within a table, so each layer gets its own bracket.
        let rowSeconds = seconds / 2
        let rowSgemm = { Benchmarks.sgemmRate(size: 1024, seconds: rowSeconds) }
        let rows = Self.layerCases.map { testCase in
            Self.bracketed(by: rowSgemm) { LayerBenchmarks.measure(testCase, seconds: seconds) }
        }
        print("layers (each ratio uses the higher of the sgemm 1024³ rates measured just before and just after its row)")
        LayerBenchmarks.printTable(rows)
        printSmallProductCeiling(rows.map(\.0), seconds: rowSeconds)
        print("")
    }

    /// The submissions `--updates` names (each must be registered).
    private func updateSubmissions() throws -> [any Submission.Type] {
        guard let names = try ArgumentCheck.nameList(updates, argument: "--updates") else { return Self.defaultUpdates }
        return try names.map { name in
            guard let found = SubmissionRegistry.all.first(where: { $0.name == name }) else {
                throw ValidationError("--updates: no registered submission named '\(name)' (see `optbench list`)")
            }
            return found
        }
    }

    /// The optimizer-update table against copy bandwidth measured just before and after it.
    private func printUpdateTable(_ submissions: [any Submission.Type]) throws {
        let copy = { Benchmarks.copyBandwidth(megabytes: 256, seconds: seconds) }
        let (updates, bandwidth) = try Self.bracketed(by: copy) {
            try submissions.map { submission in
                try UpdateThroughput.measure(submission, parameterCount: 10_000_000, minimumSeconds: seconds)
            }
        }
        print(String(format: "memory copy before and after the update table: %.1f and %.1f GB/s (ratios use the higher)", bandwidth.before, bandwidth.after))
        print("optimizer update, 10M parameters (ideal traffic: θ, g, θ′ and 2 × state)   GB/s   / copy bandwidth")
        for measured in updates {
            print("  " + measured.submission.leftAligned(12) + String(
                format: "%8.2f ms/step %47.1f   %5.0f%%", measured.secondsPerStep * 1e3,
                measured.gigabytesPerSecond, 100 * measured.gigabytesPerSecond / bandwidth.higher))
        }
        print("")
    }

    /// The ceiling of a layer whose products are too small to share between threads, such
    /// as the cnn's head (128 × 128 → 10: three products of 0.33 MFLOP, a few microseconds
    /// each, which OpenBLAS runs on one thread): one core's sgemm rate. Where that is below
    /// 60 % of the rate on all threads, no kernel brings such a layer to 60 % of it.
    private func printSmallProductCeiling(_ rows: [LayerBenchmarks.Row], seconds: Double) {
        let oneThread = Benchmarks.sgemmRate(size: 1024, seconds: seconds, threads: 1)
        print(String(format: "sgemm 1024³ on one thread: %.1f GFLOP/s, the ceiling of a layer too small to share between threads:", oneThread))
        for row in rows {
            guard row.layer == "Linear", let network = row.network else { continue }
            print(String(
                format: "  %@ head %@: %.2f MFLOP in %.1f µs forward + backward, %.0f%% of one thread's sgemm",
                network.name, row.shape, (row.forwardFlops + row.backwardFlops) * 1e-6, row.combinedSeconds * 1e6,
                100 * row.combinedRate / oneThread))
        }
    }

    /// A machine limit measured just before and just after a table. On a shared or
    /// virtual machine the limit drifts within minutes, so each table's ratios use the
    /// higher of its two measurements: a ratio never flatters a row because the reference
    /// happened to be measured in a slow moment.
    struct Bracket {
        var before: Double, after: Double
        var higher: Double { max(before, after) }
    }

    /// Runs `body` between two measurements of `reference`.
    static func bracketed<T>(by reference: () -> Double, _ body: () throws -> T) rethrows -> (T, Bracket) {
        let before = reference()
        let result = try body()
        return (result, Bracket(before: before, after: reference()))
    }

    /// Layers at the sizes the workloads use: the transformer's projections and MLP
    /// (2048 tokens, d_model 128), the convolutions and head of the `cnn` workload and its
    /// `cnn_wide` variant (batch 128, stem stride 2, widths 32 and 64, one block per
    /// stage), and attention.
    static var layerCases: [LayerBenchmarks.Case] {
        [
            LayerBenchmarks.linear(batch: 2048, input: 128, output: 512),
            LayerBenchmarks.linear(batch: 2048, input: 512, output: 128),
            LayerBenchmarks.linear(batch: 2048, input: 128, output: 128),
        ]
            + cnnLayerCases("cnn", batch: 128, width: 32, stemStride: 2, stages: 3, blocksPerStage: 1, imageSize: 32, classes: 10)
            + cnnLayerCases("cnn_wide", batch: 128, width: 64, stemStride: 2, stages: 3, blocksPerStage: 1, imageSize: 32, classes: 10)
            + [LayerBenchmarks.attention(batch: 16, length: 128, dimension: 128, heads: 4)]
    }

    /// One case per distinct layer shape of the `cnn` network (see `CNNModel`): the stem,
    /// each stage's stride-2 widening convolution and its residual-block convolution,
    /// and the linear head, each marked with how often a training step runs it. The stem
    /// appears twice: with the input gradient (not counted in the network), and as the
    /// network runs it, without (its input is the images).
    static func cnnLayerCases(
        _ network: String, batch: Int, width: Int, stemStride: Int, stages: Int, blocksPerStage: Int, imageSize: Int,
        classes: Int
    ) -> [LayerBenchmarks.Case] {
        let stem = LayerBenchmarks.conv2d(batch: batch, channels: 3, outputChannels: width, size: imageSize, stride: stemStride)
        var cases = [stem, LayerBenchmarks.occurring(stem.asFirstLayer, 1, in: network)]
        var channels = width, size = imageSize / stemStride
        for stage in 1...stages {
            if stage > 1 {
                let down = LayerBenchmarks.conv2d(batch: batch, channels: channels, outputChannels: 2 * channels, size: size, stride: 2)
                cases.append(LayerBenchmarks.occurring(down, 1, in: network))
                channels *= 2
                size /= 2
            }
            let block = LayerBenchmarks.conv2d(batch: batch, channels: channels, outputChannels: channels, size: size)
            cases.append(LayerBenchmarks.occurring(block, 2 * blocksPerStage, in: network))
        }
        cases.append(LayerBenchmarks.occurring(LayerBenchmarks.linear(batch: batch, input: channels, output: classes), 1, in: network))
        return cases
    }
}
