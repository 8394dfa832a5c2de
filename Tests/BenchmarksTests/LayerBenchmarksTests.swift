import Tensor
import Testing
@testable import Benchmarks

/// The layer table's cases, FLOP counts and formatting; no timing is asserted.
@Suite struct LayerBenchmarksTests {
    @Test func linearAndAttentionCountTheirProducts() {
        let linear = LayerBenchmarks.linear(batch: 2048, input: 128, output: 512)
        #expect(linear.forwardFlops == 268_435_456)  // 2 · 2048 · 128 · 512
        #expect(linear.shape == "2048×128 → 512" && linear.inputShape == [2048, 128])
        // Four d×d projections and QKᵀ, AV over the full 128² square: 12 · 2048 · 128².
        let attention = LayerBenchmarks.attention(batch: 16, length: 128, dimension: 128, heads: 4)
        #expect(attention.forwardFlops == 402_653_184)
    }

    @Test func cnnCasesFollowTheNetworkStageByStage() {
        let cases = LayerBenchmarks.cnnCases(
            "cnn", batch: 128, width: 32, stemStride: 2, stages: 3, blocksPerStage: 1, imageSize: 32, classes: 10)
        // The feature maps in oneDNN's blocked layout, as the network keeps them.
        let blocked = ImageLayout.oneDNNBlocked.formatName
        #expect(cases.map(\.shape) == [
            "128×3×32² → 32, stride 2, nchw → \(blocked)",
            "128×3×32² → 32, stride 2, nchw → \(blocked), no input gradient",
            "128×32×16² → 32, stride 1, \(blocked)",
            "128×32×16² → 64, stride 2, \(blocked)",
            "128×64×8² → 64, stride 1, \(blocked)",
            "128×64×8² → 128, stride 2, \(blocked)",
            "128×128×4² → 128, stride 1, \(blocked)",
            "128×128 → 10",
        ])
        #expect(cases[2].inputShape == ImageLayout.oneDNNBlocked.tensorShape(ofImages: [128, 32, 16, 16]))
        #expect(cases.map { $0.network?.occurrences ?? 0 } == [0, 1, 2, 1, 2, 1, 2, 1])
        #expect(cases.map(\.computesInputGradient) == [true, false, true, true, true, true, true, true])
        // The stem: 2 · 128 images · 32 channels · 16² positions · 3·3·3 inputs.
        #expect(cases[0].forwardFlops == 56_623_104)
        #expect(LayerBenchmarks.workloadCases.count == 3 + 8 + 8 + 1)
    }

    @Test func backwardCountsTwiceForwardUnlessTheInputGradientIsSkipped() {
        let linear = LayerBenchmarks.linear(batch: 4, input: 3, output: 2)
        let both = LayerBenchmarks.measure(linear, seconds: 0)
        #expect(both.forwardFlops == 48 && both.backwardFlops == 96)
        let first = LayerBenchmarks.measure(linear.asFirstLayer, seconds: 0)
        #expect(first.backwardFlops == 48)
        #expect(both.forwardSeconds > 0 && both.backwardSeconds > 0)
    }

    @Test func tableShowsRatesRatiosAndEachNetworkAsAStepRunsIt() {
        let row = LayerBenchmarks.Row(
            layer: "Linear", shape: "4×2 → 3", network: (name: "net", occurrences: 2), forwardFlops: 2e9, backwardFlops: 4e9,
            forwardSeconds: 1, backwardSeconds: 1)
        let lines = LayerBenchmarks.tableLines([(row, Bracket(before: 5, after: 6))])
        #expect(lines.count == 3)
        #expect(lines[1] == "Linear".leftAligned(20) + "4×2 → 3".leftAligned(46)
            + "        2.0          4.0              3.0         5 / 6                    50%")
        #expect(lines[2] == "net: its layers as one training step runs them (each row times its occurrences): "
            + "12.00 GFLOP in 4000.0 ms, 3.0 GFLOP/s, 50% of the highest sgemm rate around them (6)")
        let ceiling = LayerBenchmarks.smallProductCeilingLines([row], oneThreadRate: 12)
        #expect(ceiling == [
            "sgemm 1024³ on one thread: 12.0 GFLOP/s, the ceiling of a layer too small to share between threads:",
            "  net head 4×2 → 3: 6000.00 MFLOP in 2000000.0 µs forward + backward, 25% of one thread's sgemm",
        ])
    }
}
