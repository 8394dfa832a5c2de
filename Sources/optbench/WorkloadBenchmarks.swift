import Core
import Foundation
import Harness
import NN
import Workloads

/// Training-step throughput of each workload at its default batch size, for
/// `optbench perf`: one `lossAndGradient` on a fresh batch, the work every first-order
/// submission pays per step.
enum WorkloadBenchmarks {
    struct Row {
        var workload: String
        var batchSize: Int
        var parameters: Int
        var secondsPerStep: Double

        var examplesPerSecond: Double { Double(batchSize) / secondsPerStep }
    }

    /// Times every base workload in `catalog` that has an implementation.
    static func measure(_ catalog: SpecCatalog, seconds: Double) throws -> [Row] {
        try catalog.baseSpecs.filter { WorkloadRegistry.names.contains($0.name) }.map { spec in
            try measure(WorkloadRegistry.make(spec), seconds: seconds)
        }
    }

    static func measure<W: Workload>(_ workload: W, seconds: Double) -> Row {
        let parameters = workload.initialParameters(seed: 1)
        let stream = workload.makeDataStream(seed: 2)
        var gradient = ParameterSet.zeros(like: parameters)
        let size = workload.info.defaultBatchSize
        let time = Benchmarks.secondsPerCall(minimumSeconds: seconds) {
            let batch = stream.nextBatch(size: size)
            _ = workload.lossAndGradient(parameters, batch: batch, into: &gradient)
        }
        return Row(workload: workload.info.name, batchSize: size, parameters: parameters.values.count, secondsPerStep: time)
    }

    static func printTable(_ rows: [Row]) {
        print("workload".leftAligned(22) + "batch".rightAligned(7) + "parameters".rightAligned(12) + "ms/step".rightAligned(10)
              + "examples/s".rightAligned(13))
        for row in rows {
            print(row.workload.leftAligned(22) + String(row.batchSize).rightAligned(7) + String(row.parameters).rightAligned(12)
                  + String(format: "%.2f", row.secondsPerStep * 1e3).rightAligned(10)
                  + String(format: "%.0f", row.examplesPerSecond).rightAligned(13))
        }
    }
}
