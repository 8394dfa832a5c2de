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

    @Option(help: "Folder of workload specs.")
    var workloadsDir = "workloads"

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
        print("")
        print("training step (loss and gradient on a fresh batch, default batch size)")
        WorkloadBenchmarks.printTable(
            try WorkloadBenchmarks.measure(SpecCatalog(directory: workloadsDir), seconds: seconds), sgemmRate: peak)
    }

    /// Layers at the sizes the workloads use: the transformer's projections and MLP
    /// (2048 tokens, d_model 128), the convolutions and head of the `cnn` workload and its
    /// `cnn_wide` variant (batch 128, stem stride 2, widths 32 and 64), and attention.
    static var layerCases: [LayerBenchmarks.Case] {
        [
            LayerBenchmarks.linear(batch: 2048, input: 128, output: 512),
            LayerBenchmarks.linear(batch: 2048, input: 512, output: 128),
            LayerBenchmarks.linear(batch: 2048, input: 128, output: 128),
        ]
            + cnnLayerCases(batch: 128, width: 32, stemStride: 2, stages: 3, imageSize: 32, classes: 10)
            + cnnLayerCases(batch: 128, width: 64, stemStride: 2, stages: 3, imageSize: 32, classes: 10)
            + [LayerBenchmarks.attention(batch: 16, length: 128, dimension: 128, heads: 4)]
    }

    /// One case per distinct layer shape of the `cnn` network (see `CNNModel`): the stem,
    /// each stage's stride-2 widening convolution and its residual-block convolution,
    /// and the linear head.
    static func cnnLayerCases(batch: Int, width: Int, stemStride: Int, stages: Int, imageSize: Int, classes: Int) -> [LayerBenchmarks.Case] {
        var cases = [LayerBenchmarks.conv2d(batch: batch, channels: 3, outputChannels: width, size: imageSize, stride: stemStride)]
        var channels = width, size = imageSize / stemStride
        for stage in 1...stages {
            if stage > 1 {
                cases.append(LayerBenchmarks.conv2d(batch: batch, channels: channels, outputChannels: 2 * channels, size: size, stride: 2))
                channels *= 2
                size /= 2
            }
            cases.append(LayerBenchmarks.conv2d(batch: batch, channels: channels, outputChannels: channels, size: size))
        }
        cases.append(LayerBenchmarks.linear(batch: batch, input: channels, output: classes))
        return cases
    }
}
