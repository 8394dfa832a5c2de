import Testing

import Tensor

/// The row kernels' own promises (`.directRows`): where `.automatic` uses them, a forward
/// pass equal to the direct kernels' bit for bit, results that do not depend on the thread
/// count, and a kept workspace that never changes the numbers. (Their values against the
/// definition are checked in `ConvolutionTests`.)
@Suite(.serialized) struct RowConvolutionTests {
    /// The cnn's stem at batch 16: large enough to be split over threads (16 · 256 · 27 · 36
    /// multiply-adds per pass) and two blocks of eight images for the kernel gradient.
    static let stem = Conv2dGeometry(
        inputShape: [16, 3, 32, 32], outputChannels: 32, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)

    private struct Operands {
        let x: Tensor, w: Tensor, b: Tensor, dy: Tensor
        init(_ g: Conv2dGeometry, seed: UInt64) {
            var rng = RandomGenerator(seed: seed)
            x = Tensor.randomNormal(shape: g.inputShape, using: &rng)
            w = Tensor.randomNormal(shape: g.weightShape, using: &rng)
            b = Tensor.randomNormal(shape: [g.outputChannels], using: &rng)
            dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        }
    }

    /// The output, the input gradient and the kernel gradient (added to `initialGradient`),
    /// and the bias gradient of a parameter-only backward, as bits.
    private func run(
        _ g: Conv2dGeometry, _ o: Operands, _ algorithm: ConvolutionAlgorithm, workspace: ConvolutionWorkspace? = nil,
        initialGradient: Float = 0
    ) -> (output: [UInt32], inputGradient: [UInt32], weightGradient: [UInt32], biasGradient: [UInt32]) {
        var dw = [Float](repeating: initialGradient, count: g.weightCount)
        var scratch = [Float](repeating: 0, count: g.weightCount), db = [Float](repeating: 0, count: g.outputChannels)
        scratch.withUnsafeMutableBufferPointer { dwb in
            db.withUnsafeMutableBufferPointer { dbb in
                Tensor.conv2dKernelGradient(
                    outputGradient: o.dy, input: o.x, geometry: g, accumulatingInto: dwb, biasGradient: dbb,
                    workspace: workspace, algorithm: algorithm)
            }
        }
        let (y, dx) = o.w.withUnsafeBufferPointer { wb in
            let y = o.b.withUnsafeBufferPointer { bb in
                Tensor.conv2dForward(input: o.x, weight: wb, bias: bb, geometry: g, workspace: workspace, algorithm: algorithm)
            }
            let dx = dw.withUnsafeMutableBufferPointer { dwb in
                Tensor.conv2dBackward(
                    outputGradient: o.dy, input: o.x, weight: wb, geometry: g, weightGradient: dwb, workspace: workspace,
                    reusingForwardColumns: workspace != nil, algorithm: algorithm)
            }
            return (y, dx)
        }
        return (y.scalars.map(\.bitPattern), dx.scalars.map(\.bitPattern), dw.map(\.bitPattern), db.map(\.bitPattern))
    }

    @Test func automaticRunsTheRowKernelsForThinInputsWithWholeTileRows() {
        let thin = Self.stem
        let wide = Conv2dGeometry(inputShape: [2, 8, 32, 32], outputChannels: 8, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        let ragged = Conv2dGeometry(inputShape: [2, 3, 30, 30], outputChannels: 8, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        #expect(ConvolutionAlgorithm.automatic.usesRowKernels(for: thin) == DirectConvolution.isVectorised)
        #expect(!ConvolutionAlgorithm.automatic.usesRowKernels(for: wide))
        #expect(!ConvolutionAlgorithm.automatic.usesRowKernels(for: ragged))
        #expect(ConvolutionAlgorithm.directRows.usesRowKernels(for: wide))
        #expect(!ConvolutionAlgorithm.direct.usesRowKernels(for: thin))
        #expect(ConvolutionAlgorithm.directRows.supports(thin) && !ConvolutionAlgorithm.directRows.supports(ragged))
        #expect(ConvolutionAlgorithm.direct.supports(ragged) && ConvolutionAlgorithm.unfolding.supports(ragged))
    }

    /// Both kernels form each output as the bias plus the taps' products in tap order, one
    /// fused multiply-add each; the input gradient is the same code.
    @Test func forwardAndInputGradientAreTheDirectKernelsBits() {
        let o = Operands(Self.stem, seed: 41)
        let rows = run(Self.stem, o, .directRows), direct = run(Self.stem, o, .direct)
        #expect(rows.output == direct.output)
        #expect(rows.inputGradient == direct.inputGradient)
    }

    @Test func resultsAreTheSameBitsAtOneAndTwoThreads() {
        let o = Operands(Self.stem, seed: 42)
        let threads = BLAS.threadCount
        defer { BLAS.setThreadCount(threads) }
        BLAS.setThreadCount(2)
        let two = run(Self.stem, o, .directRows)
        BLAS.setThreadCount(1)
        let one = run(Self.stem, o, .directRows)
        #expect(one.output == two.output)
        #expect(one.weightGradient == two.weightGradient)
        #expect(one.biasGradient == two.biasGradient)
    }

    /// The kernel gradient sums eight lanes per block of images and adds the blocks in
    /// order: against the same sums in Double it may differ only by Float rounding, and it
    /// adds to what the buffer held.
    @Test func kernelGradientAccumulatesTheSumOverTheBatch() {
        let g = Self.stem
        let o = Operands(g, seed: 43)
        let fresh = run(g, o, .directRows).weightGradient.map(Float.init(bitPattern:))
        let added = run(g, o, .directRows, initialGradient: 0.5).weightGradient.map(Float.init(bitPattern:))
        let x = o.x.scalars, dy = o.dy.scalars
        var worst = 0.0
        for outChannel in 0..<g.outputChannels {
            for c in 0..<g.inputChannels {
                for ky in 0..<3 {
                    for kx in 0..<3 {
                        var sum = 0.0
                        for n in 0..<g.batch {
                            for oy in 0..<g.outputHeight {
                                let y = 2 * oy - 1 + ky
                                guard y >= 0 && y < g.height else { continue }
                                for ox in 0..<g.outputWidth {
                                    let xx = 2 * ox - 1 + kx
                                    guard xx >= 0 && xx < g.width else { continue }
                                    sum += Double(dy[((n * 32 + outChannel) * 16 + oy) * 16 + ox])
                                        * Double(x[((n * 3 + c) * 32 + y) * 32 + xx])
                                }
                            }
                        }
                        let i = ((outChannel * 3 + c) * 3 + ky) * 3 + kx
                        worst = max(worst, abs(Double(fresh[i]) - sum) / (1 + abs(sum)))
                        #expect(abs(Double(added[i]) - (sum + 0.5)) <= 1e-4 * (1 + abs(sum)), "element \(i)")
                    }
                }
            }
        }
        // The bound of `ConvolutionTests`: rounding grows like the square root of the
        // number of terms (16 · 256 here) beyond 256.
        #expect(worst < 1e-5 * (Double(g.batch * g.outputPositions) / 256).squareRoot())
    }

    /// One workspace serving two geometries in turn (as a layer seeing two batch sizes)
    /// gives the bits of calls without one.
    @Test func aKeptWorkspaceGivesTheBitsOfFreshCalls() {
        let small = Conv2dGeometry(
            inputShape: [3, 3, 32, 32], outputChannels: 32, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        let operands = [Self.stem, small].map { ($0, Operands($0, seed: 44)) }
        let expected = operands.map { g, o in run(g, o, .directRows) }
        let workspace = ConvolutionWorkspace()
        for round in 0..<2 {
            for (i, (g, o)) in operands.enumerated() {
                let kept = run(g, o, .directRows, workspace: workspace)
                #expect(kept.output == expected[i].output, "round \(round), geometry \(i)")
                #expect(kept.inputGradient == expected[i].inputGradient, "round \(round), geometry \(i)")
                #expect(kept.weightGradient == expected[i].weightGradient, "round \(round), geometry \(i)")
                #expect(kept.biasGradient == expected[i].biasGradient, "round \(round), geometry \(i)")
            }
        }
    }

    @Test func anEmptyBatchGivesEmptyResults() {
        let g = Conv2dGeometry(inputShape: [0, 3, 32, 32], outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        let o = Operands(g, seed: 45)
        let result = run(g, o, .directRows)
        #expect(result.output.isEmpty && result.inputGradient.isEmpty)
        #expect(result.weightGradient.allSatisfy { $0 == 0 } && result.biasGradient.allSatisfy { $0 == 0 })
    }
}
