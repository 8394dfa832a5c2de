import Foundation
import Harness
import NN
import Tensor

/// Forward and backward throughput of real layers at the sizes the workloads use, for
/// `optbench perf`. Backward is counted as twice the forward FLOPs (input gradient plus
/// parameter gradient), the usual convention for Linear, convolution and attention.
enum LayerBenchmarks {
    /// One measured row of the table.
    struct Row {
        var layer: String
        var shape: String
        var forwardFlops: Double
        var forwardSeconds: Double
        var backwardSeconds: Double

        var forwardRate: Double { forwardFlops / forwardSeconds * 1e-9 }
        var backwardRate: Double { 2 * forwardFlops / backwardSeconds * 1e-9 }
        var combinedRate: Double { 3 * forwardFlops / (forwardSeconds + backwardSeconds) * 1e-9 }
    }

    /// A layer with its own parameters and a random input of `inputShape`.
    struct Case {
        var label: String
        var shape: String
        var forwardFlops: Double
        var inputShape: [Int]
        var make: (inout ParameterLayout) -> any Layer
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
        let forward = Benchmarks.secondsPerCall(minimumSeconds: seconds) {
            _ = layer.forward(input, parameters: parameters)
        }
        let both = Benchmarks.secondsPerCall(minimumSeconds: seconds) {
            _ = layer.forward(input, parameters: parameters)
            _ = layer.backward(outputGradient, parameters: parameters, gradient: &gradient)
        }
        return Row(
            layer: testCase.label, shape: testCase.shape, forwardFlops: testCase.forwardFlops,
            forwardSeconds: forward, backwardSeconds: max(both - forward, 1e-12))
    }

    static func linear(batch: Int, input: Int, output: Int) -> Case {
        Case(
            label: "Linear", shape: "\(batch)×\(input) → \(output)", forwardFlops: 2 * Double(batch * input * output),
            inputShape: [batch, input]
        ) { layout in
            Linear("linear", inputFeatures: input, outputFeatures: output, layout: &layout)
        }
    }

    static func conv2d(batch: Int, channels: Int, outputChannels: Int, size: Int, stride: Int = 1) -> Case {
        let geometry = Conv2dGeometry(
            inputShape: [batch, channels, size, size], outputChannels: outputChannels, kernelHeight: 3, kernelWidth: 3,
            stride: stride, padding: 1)
        return Case(
            label: "Conv2d 3×3", shape: "\(batch)×\(channels)×\(size)² → \(outputChannels), stride \(stride)",
            forwardFlops: Double(geometry.forwardFlops), inputShape: [batch, channels, size, size]
        ) { layout in
            Conv2d(name: "conv", inputChannels: channels, outputChannels: outputChannels, kernelSize: 3, stride: stride, padding: 1, layout: &layout)
        }
    }

    /// Causal attention FLOPs: four projections plus QKᵀ and AV over the full square
    /// (the causal half is not subtracted, as is customary).
    static func attention(batch: Int, length: Int, dimension: Int, heads: Int) -> Case {
        let tokens = Double(batch * length)
        let flops = 4 * 2 * tokens * Double(dimension * dimension) + 2 * 2 * tokens * Double(length * dimension)
        return Case(
            label: "CausalSelfAttention", shape: "\(batch)×\(length)×\(dimension), \(heads) heads",
            forwardFlops: flops, inputShape: [batch, length, dimension]
        ) { layout in
            CausalSelfAttention(name: "attention", dimension: dimension, heads: heads, layout: &layout)
        }
    }

    /// Prints the table with each rate's ratio to the measured sgemm rate.
    static func printTable(_ rows: [Row], sgemmRate: Double) {
        print("layer".leftAligned(20) + "shape".leftAligned(40) + "fwd GFLOP/s  bwd GFLOP/s  fwd+bwd GFLOP/s  fwd+bwd / sgemm")
        for row in rows {
            print(row.layer.leftAligned(20) + row.shape.leftAligned(40) + String(
                format: "%11.1f  %11.1f  %15.1f  %14.0f%%",
                row.forwardRate, row.backwardRate, row.combinedRate, 100 * row.combinedRate / sgemmRate))
        }
    }
}
