import Testing

import Tensor

/// The direct kernels' own promises: which geometries `.automatic` sends to them, and
/// results that do not depend on the thread count. (Their values against the definition
/// are checked with the unfolding kernels in `ConvolutionTests`.)
@Suite(.serialized) struct DirectConvolutionTests {
    @Test func automaticChoosesTheDirectKernelsOnlyWhereTheyAreVectorised() {
        let conv = Conv2dGeometry(inputShape: [2, 3, 8, 8], outputChannels: 4, kernelHeight: 3, kernelWidth: 3, padding: 1)
        let pointwise = Conv2dGeometry(inputShape: [2, 3, 8, 8], outputChannels: 4, kernelHeight: 1, kernelWidth: 1)
        #expect(ConvolutionAlgorithm.automatic.usesDirectKernels(for: conv) == DirectConvolution.isVectorised)
        #expect(!ConvolutionAlgorithm.automatic.usesDirectKernels(for: pointwise))
        #expect(ConvolutionAlgorithm.direct.usesDirectKernels(for: pointwise))
        #expect(!ConvolutionAlgorithm.unfolding.usesDirectKernels(for: conv))
    }

    /// Large enough (over 2²⁰ multiply-adds per kernel) to be split over threads; stride 1
    /// (direct input gradient) and stride 2 (whose input gradient is an OpenBLAS product,
    /// not compared).
    @Test(arguments: [1, 2]) func resultsAreTheSameBitsAtOneAndTwoThreads(_ stride: Int) {
        let g = Conv2dGeometry(
            inputShape: [4, 8, 16, 16], outputChannels: 20, kernelHeight: 3, kernelWidth: 3, stride: stride, padding: 1)
        var rng = RandomGenerator(seed: 31)
        let x = Tensor.randomNormal(shape: g.inputShape, using: &rng)
        let w = Tensor.randomNormal(shape: g.weightShape, using: &rng)
        let b = Tensor.randomNormal(shape: [g.outputChannels], using: &rng)
        let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        func run() -> (output: [UInt32], inputGradient: [UInt32], weightGradient: [UInt32]) {
            var dw = [Float](repeating: 0, count: g.weightCount)
            let (y, dx) = w.withUnsafeBufferPointer { wb in
                let y = b.withUnsafeBufferPointer { bb in
                    Tensor.conv2dForward(input: x, weight: wb, bias: bb, geometry: g, algorithm: .direct)
                }
                let dx = dw.withUnsafeMutableBufferPointer { dwb in
                    Tensor.conv2dBackward(
                        outputGradient: dy, input: x, weight: wb, geometry: g, weightGradient: dwb, algorithm: .direct)
                }
                return (y, dx)
            }
            return (y.scalars.map(\.bitPattern), dx.scalars.map(\.bitPattern), dw.map(\.bitPattern))
        }
        let threads = BLAS.threadCount
        defer { BLAS.setThreadCount(threads) }
        BLAS.setThreadCount(2)
        let two = run()
        BLAS.setThreadCount(1)
        let one = run()
        #expect(one.output == two.output)
        #expect(one.weightGradient == two.weightGradient)
        if stride == 1 { #expect(one.inputGradient == two.inputGradient) }
    }
}
