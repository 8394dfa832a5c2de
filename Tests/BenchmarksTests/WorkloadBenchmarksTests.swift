import Testing
@testable import Benchmarks

/// The step table's formatting; no timing is asserted.
@Suite struct WorkloadBenchmarksTests {
    @Test func rowsShowRatesAndDashesWhereAStepRunsNoProducts() {
        let counted = WorkloadBenchmarks.Row(
            workload: "kjv", batchSize: 8, tokensPerExample: 64, parameters: 1000, secondsPerStep: 0.02,
            secondsPerForward: 0.005, flopsPerStep: 40_000_000)
        let uncounted = WorkloadBenchmarks.Row(
            workload: "maxcut", batchSize: 1, tokensPerExample: nil, parameters: 10, secondsPerStep: 0.001,
            secondsPerForward: 0.0005, flopsPerStep: 0)
        #expect(counted.examplesPerSecond == 400 && counted.tokensPerSecond == 25_600)
        #expect(abs(counted.gigaflopsPerSecond - 2) < 1e-12)
        let lines = WorkloadBenchmarks.tableLines([counted, uncounted], sgemmRate: 8)
        #expect(lines.count == 4)
        #expect(lines[1] == "kjv".leftAligned(22) + "8".rightAligned(7) + "1000".rightAligned(12) + "20.00".rightAligned(10)
            + "5.00".rightAligned(9) + "400".rightAligned(13) + "25600".rightAligned(11) + "40.0".rightAligned(12)
            + "2.0".rightAligned(9) + "25%".rightAligned(9))
        #expect(lines[2] == "maxcut".leftAligned(22) + "1".rightAligned(7) + "10".rightAligned(12) + "1.00".rightAligned(10)
            + "0.50".rightAligned(9) + "1000".rightAligned(13) + "—".rightAligned(11) + "—".rightAligned(12)
            + "—".rightAligned(9) + "—".rightAligned(9))
    }
}
