import Foundation
import Harness
import NN
import Tensor

/// Forward and backward throughput of real layers at the sizes the workloads use, for
/// `optbench perf`. Backward is counted as twice the forward FLOPs (input gradient plus
/// parameter gradient), the usual convention for Linear, convolution and attention, or
/// once for a layer measured as a network's first, whose input gradient is skipped.
enum LayerBenchmarks {
    /// One measured row of the table.
    struct Row {
        var layer: String
        var shape: String
        var network: (name: String, occurrences: Int)?
        var forwardFlops: Double
        var backwardFlops: Double
        var forwardSeconds: Double
        var backwardSeconds: Double

        var forwardRate: Double { forwardFlops / forwardSeconds * 1e-9 }
        var backwardRate: Double { backwardFlops / backwardSeconds * 1e-9 }
        var combinedRate: Double { (forwardFlops + backwardFlops) / (forwardSeconds + backwardSeconds) * 1e-9 }
        var combinedSeconds: Double { forwardSeconds + backwardSeconds }
    }

    /// A layer with its own parameters and a random input of `inputShape`.
    struct Case {
        var label: String
        var shape: String
        var forwardFlops: Double
        var inputShape: [Int]
        /// Whether backward computes the input gradient; `false` measures the layer as a
        /// network's first runs it (`Layer.accumulateParameterGradients`).
        var computesInputGradient = true
        /// The network whose training step runs this layer, and how many times it does.
        var network: (name: String, occurrences: Int)?
        var make: (inout ParameterLayout) -> any Layer

        /// This case measured as a network's first layer, without the input gradient.
        var asFirstLayer: Case {
            var first = self
            first.computesInputGradient = false
            first.shape += ", no input gradient"
            return first
        }
    }

    /// Times `testCase`: the best of repeated forward calls, and of repeated backward calls
    /// each following its own forward (the forward time is subtracted).
    static func measure(_ testCase: Case, seconds: Double) -> Row {
        var layout = ParameterLayout()
        let layer = testCase.make(&layout)
        var parameters = ParameterSet(layout: layout)
        var generator = RandomGenerator(seed: 11)
        layer.initialize(&parameters, using: &generator)
        layer.setTraining(true)
        let input = Tensor.randomNormal(shape: testCase.inputShape, using: &generator)
        let output = layer.forward(input, parameters: parameters)
        let outputGradient = Tensor.randomNormal(shape: output.shape, using: &generator)
        var gradient = ParameterSet.zeros(like: parameters)
        let forward = Timing.secondsPerCall(minimumSeconds: seconds) {
            _ = layer.forward(input, parameters: parameters)
        }
        let both = Timing.secondsPerCall(minimumSeconds: seconds) {
            _ = layer.forward(input, parameters: parameters)
            if testCase.computesInputGradient {
                _ = layer.backward(outputGradient, parameters: parameters, gradient: &gradient)
            } else {
                layer.accumulateParameterGradients(outputGradient, parameters: parameters, gradient: &gradient)
            }
        }
        return Row(
            layer: testCase.label, shape: testCase.shape, network: testCase.network, forwardFlops: testCase.forwardFlops,
            backwardFlops: (testCase.computesInputGradient ? 2 : 1) * testCase.forwardFlops,
            forwardSeconds: forward, backwardSeconds: max(both - forward, 1e-12))
    }

    /// This case as a layer `network`'s training step runs `occurrences` times.
    static func occurring(_ testCase: Case, _ occurrences: Int, in network: String) -> Case {
        var counted = testCase
        counted.network = (network, occurrences)
        return counted
    }

    static func linear(batch: Int, input: Int, output: Int) -> Case {
        Case(
            label: "Linear", shape: "\(batch)×\(input) → \(output)", forwardFlops: 2 * Double(batch * input * output),
            inputShape: [batch, input]
        ) { layout in
            Linear("linear", inputFeatures: input, outputFeatures: output, layout: &layout)
        }
    }

    /// A 3×3 "same" convolution whose input and output tensors are in the given layouts
    /// (the shape column ends with them unless both are planar: `nchw → nChw16c` for a
    /// stem, `nChw16c` where both are blocked).
    static func conv2d(
        batch: Int, channels: Int, outputChannels: Int, size: Int, stride: Int = 1,
        inputLayout: ImageLayout = .planar, outputLayout: ImageLayout = .planar
    ) -> Case {
        let geometry = Conv2dGeometry(
            batch: batch, inputChannels: channels, height: size, width: size, outputChannels: outputChannels,
            kernelHeight: 3, kernelWidth: 3, stride: stride, padding: 1, inputLayout: inputLayout, outputLayout: outputLayout)
        let layouts = geometry.isPlanar ? ""
            : inputLayout == outputLayout ? ", \(inputLayout.formatName)"
            : ", \(inputLayout.formatName) → \(outputLayout.formatName)"
        return Case(
            label: "Conv2d 3×3", shape: "\(batch)×\(channels)×\(size)² → \(outputChannels), stride \(stride)\(layouts)",
            forwardFlops: Double(geometry.forwardFlops), inputShape: geometry.inputTensorShape
        ) { layout in
            Conv2d(
                name: "conv", inputChannels: channels, outputChannels: outputChannels, kernelSize: 3, stride: stride,
                padding: 1, inputLayout: inputLayout, outputLayout: outputLayout, layout: &layout)
        }
    }

    /// Causal attention FLOPs: four projections plus QKᵀ and AV over the full square
    /// (the causal half is not subtracted, as is customary).
    static func attention(batch: Int, length: Int, dimension: Int, heads: Int) -> Case {
        let tokens = Double(batch * length)
        let flops = 4 * 2 * tokens * Double(dimension * dimension) + 2 * 2 * tokens * Double(length * dimension)
        return Case(
            label: "SelfAttention (causal)", shape: "\(batch)×\(length)×\(dimension), \(heads) heads",
            forwardFlops: flops, inputShape: [batch, length, dimension]
        ) { layout in
            SelfAttention(name: "attention", dimension: dimension, heads: heads, causal: true, layout: &layout)
        }
    }

    /// The table: each row's rates, the sgemm rates measured around it, and its combined
    /// rate as a fraction of the higher of those; then, per network, its layers as one
    /// training step runs them.
    static func tableLines(_ rows: [(Row, Bracket)]) -> [String] {
        var lines = [
            "layer".leftAligned(20) + "shape".leftAligned(46)
                + "fwd GFLOP/s  bwd GFLOP/s  fwd+bwd GFLOP/s  sgemm before/after  fwd+bwd / sgemm"
        ]
        for (row, sgemm) in rows {
            lines.append(row.layer.leftAligned(20) + row.shape.leftAligned(46) + String(
                format: "%11.1f  %11.1f  %15.1f  %8.0f / %-7.0f  %14.0f%%",
                row.forwardRate, row.backwardRate, row.combinedRate, sgemm.before, sgemm.after,
                100 * row.combinedRate / sgemm.higher))
        }
        var networks: [String] = []
        for case let name? in rows.map(\.0.network?.name) where !networks.contains(name) { networks.append(name) }
        for network in networks {
            let members = rows.compactMap { row, sgemm in
                row.network.flatMap { $0.name == network ? (row, Double($0.occurrences), sgemm.higher) : nil }
            }
            let flops = members.reduce(0) { $0 + $1.1 * ($1.0.forwardFlops + $1.0.backwardFlops) }
            let seconds = members.reduce(0) { $0 + $1.1 * $1.0.combinedSeconds }
            let sgemm = members.map(\.2).max() ?? .nan
            lines.append("\(network): its layers as one training step runs them (each row times its occurrences): " + String(
                format: "%.2f GFLOP in %.1f ms, %.1f GFLOP/s, %.0f%% of the highest sgemm rate around them (%.0f)",
                flops * 1e-9, seconds * 1e3, flops / seconds * 1e-9, 100 * flops / seconds * 1e-9 / sgemm, sgemm))
        }
        return lines
    }

    /// The ceiling of a layer whose products are too small to share between threads, such
    /// as the cnn's head (128 × 128 → 10: three products of 0.33 MFLOP, a few microseconds
    /// each, which OpenBLAS runs on one thread): one core's sgemm rate (`oneThreadRate`,
    /// GFLOP/s). Where that is below 60 % of the rate on all threads, no kernel brings such
    /// a layer to 60 % of it. One line per networks' Linear row.
    static func smallProductCeilingLines(_ rows: [Row], oneThreadRate: Double) -> [String] {
        var lines = [String(
            format: "sgemm 1024³ on one thread: %.1f GFLOP/s, the ceiling of a layer too small to share between threads:",
            oneThreadRate)]
        for row in rows {
            guard row.layer == "Linear", let network = row.network else { continue }
            lines.append(String(
                format: "  %@ head %@: %.2f MFLOP in %.1f µs forward + backward, %.0f%% of one thread's sgemm",
                network.name, row.shape, (row.forwardFlops + row.backwardFlops) * 1e-6, row.combinedSeconds * 1e6,
                100 * row.combinedRate / oneThreadRate))
        }
        return lines
    }
}
