import Core
import Foundation
import Harness
import NN
import Tensor
import Workloads

/// Training-step throughput of each workload at its default batch size, for
/// `optbench perf`: one `lossAndGradient` on a fresh batch, the work every first-order
/// submission pays per step. The step's matrix-product FLOPs are counted at the BLAS
/// boundary (`BLAS.countingFlops`) on one step, so the achieved GFLOP/s needs no
/// hand-written FLOP formula per model; elementwise work is not counted.
enum WorkloadBenchmarks {
    struct Row {
        var workload: String
        var batchSize: Int
        /// Predicted tokens per example for sequence workloads, nil otherwise.
        var tokensPerExample: Int?
        var parameters: Int
        var secondsPerStep: Double
        /// Seconds of the loss alone (forward only) on a batch of the same size: the work of
        /// an evaluation, per batch.
        var secondsPerForward: Double
        /// Matrix-product FLOPs of one step (two per multiply-add).
        var flopsPerStep: Int

        var examplesPerSecond: Double { Double(batchSize) / secondsPerStep }
        var tokensPerSecond: Double? { tokensPerExample.map { Double($0 * batchSize) / secondsPerStep } }
        var gigaflopsPerSecond: Double { Double(flopsPerStep) / secondsPerStep * 1e-9 }
    }

    /// Times every base workload in `catalog` that has an implementation (those named in
    /// `only`, when given).
    static func measure(_ catalog: SpecCatalog, only: [String]? = nil, seconds: Double) throws -> [Row] {
        try catalog.baseSpecs.filter { WorkloadRegistry.names.contains($0.name) && only?.contains($0.name) != false }.map { spec in
            try measure(WorkloadRegistry.make(spec), seconds: seconds)
        }
    }

    static func measure<W: Workload>(_ workload: W, seconds: Double) -> Row {
        let parameters = workload.initialParameters(seed: 1)
        let stream = workload.makeDataStream(seed: 2)
        var gradient = ParameterSet.zeros(like: parameters)
        let size = workload.info.defaultBatchSize
        let counted = stream.nextBatch(size: size)
        let flops = BLAS.countingFlops { _ = workload.lossAndGradient(parameters, batch: counted, into: &gradient) }.flops
        let time = Timing.secondsPerCall(minimumSeconds: seconds) {
            let batch = stream.nextBatch(size: size)
            _ = workload.lossAndGradient(parameters, batch: batch, into: &gradient)
        }
        let forward = Timing.secondsPerCall(minimumSeconds: seconds) {
            _ = workload.loss(parameters, batch: stream.nextBatch(size: size))
        }
        let tokens = (counted as? TokenBatch).map { $0.length - 1 }
        return Row(
            workload: workload.info.name, batchSize: size, tokensPerExample: tokens, parameters: parameters.values.count,
            secondsPerStep: time, secondsPerForward: forward, flopsPerStep: flops)
    }

    /// The table's lines, with each step's achieved matrix-product rate beside `sgemmRate` (GFLOP/s).
    static func tableLines(_ rows: [Row], sgemmRate: Double) -> [String] {
        var lines = ["workload".leftAligned(22) + "batch".rightAligned(7) + "parameters".rightAligned(12) + "ms/step".rightAligned(10)
              + "fwd ms".rightAligned(9)
              + "examples/s".rightAligned(13) + "tokens/s".rightAligned(11) + "MFLOP/step".rightAligned(12)
              + "GFLOP/s".rightAligned(9) + "/ sgemm".rightAligned(9)]
        for row in rows {
            let counted = row.flopsPerStep > 0
            lines.append(row.workload.leftAligned(22) + String(row.batchSize).rightAligned(7) + String(row.parameters).rightAligned(12)
                  + String(format: "%.2f", row.secondsPerStep * 1e3).rightAligned(10)
                  + String(format: "%.2f", row.secondsPerForward * 1e3).rightAligned(9)
                  + String(format: "%.0f", row.examplesPerSecond).rightAligned(13)
                  + (row.tokensPerSecond.map { String(format: "%.0f", $0) } ?? "—").rightAligned(11)
                  + (counted ? String(format: "%.1f", Double(row.flopsPerStep) * 1e-6) : "—").rightAligned(12)
                  + (counted ? String(format: "%.1f", row.gigaflopsPerSecond) : "—").rightAligned(9)
                  + (counted ? String(format: "%.0f%%", 100 * row.gigaflopsPerSecond / sgemmRate) : "—").rightAligned(9))
        }
        lines.append("(fwd ms: the loss alone on a fresh batch, as an evaluation runs it; FLOPs: matrix products through BLAS and oneDNN's convolutions in one loss-and-gradient step, two per multiply-add; \"—\": the step runs none)")
        return lines
    }
}
