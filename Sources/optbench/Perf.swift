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

    @Option(help: "OpenBLAS threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Minimum seconds spent timing each entry.")
    var seconds: Double = 0.5

    mutating func run() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        BLAS.setThreadCount(threads)
        #if DEBUG
        print("warning: debug build; timings are meaningless. Use `swift run -c release optbench perf` or `make perf`.")
        #endif
        print("machine: \(ProvenanceCollector.cpuModel() ?? "unknown CPU"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("BLAS: \(BLAS.configuration), threads \(BLAS.threadCount)")
        let peak = Benchmarks.sgemmRate(size: 1024, seconds: seconds)
        let bandwidth = Benchmarks.copyBandwidth(megabytes: 256, seconds: seconds)
        print(String(format: "sgemm 1024³: %.1f GFLOP/s   memory copy: %.1f GB/s", peak, bandwidth))
        print("")
        print("optimizer update, 10M parameters (ideal traffic: θ, g, θ′ and 2 × state)   GB/s   / copy bandwidth")
        for submission in [AdamW.self, Lion.self, Adafactor.self] as [any Submission.Type] {
            let measured = try UpdateThroughput.measure(submission, parameterCount: 10_000_000, minimumSeconds: seconds)
            print("  " + measured.submission.leftAligned(12) + String(
                format: "%8.2f ms/step %47.1f   %5.0f%%", measured.secondsPerStep * 1e3,
                measured.gigabytesPerSecond, 100 * measured.gigabytesPerSecond / bandwidth))
        }
        print("")
        let rows = Self.layerCases.map { LayerBenchmarks.measure($0, seconds: seconds) }
        LayerBenchmarks.printTable(rows, sgemmRate: peak)
    }

    /// Layers at the sizes the workloads use (see each workload's spec).
    static var layerCases: [LayerBenchmarks.Case] {
        [
            LayerBenchmarks.linear(batch: 2048, input: 128, output: 512),
            LayerBenchmarks.linear(batch: 2048, input: 512, output: 128),
            LayerBenchmarks.linear(batch: 2048, input: 128, output: 128),
            LayerBenchmarks.linear(batch: 128, input: 256, output: 10),
            LayerBenchmarks.conv2d(batch: 64, channels: 3, outputChannels: 32, size: 32),
            LayerBenchmarks.conv2d(batch: 64, channels: 32, outputChannels: 32, size: 32),
            LayerBenchmarks.conv2d(batch: 64, channels: 32, outputChannels: 64, size: 32, stride: 2),
            LayerBenchmarks.conv2d(batch: 64, channels: 64, outputChannels: 64, size: 16),
            LayerBenchmarks.conv2d(batch: 64, channels: 64, outputChannels: 128, size: 16, stride: 2),
            LayerBenchmarks.conv2d(batch: 64, channels: 128, outputChannels: 128, size: 8),
            LayerBenchmarks.attention(batch: 16, length: 128, dimension: 128, heads: 4),
        ]
    }
}
