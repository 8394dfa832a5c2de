import Testing

@testable import Tensor

/// Convolution kernels against direct loop definitions evaluated in Double.
@Suite struct ConvolutionTests {
    /// One convolution configuration: (batch, in, height, width, out, kh, kw, stride, padding).
    struct Case: CustomTestStringConvertible, Sendable {
        let batch, inputChannels, height, width, outputChannels, kernelHeight, kernelWidth, stride, padding: Int
        var geometry: Conv2dGeometry {
            Conv2dGeometry(
                batch: batch, inputChannels: inputChannels, height: height, width: width,
                outputChannels: outputChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                stride: stride, padding: padding)
        }
        var testDescription: String { geometry.description }
    }

    static let cases: [Case] = [
        Case(batch: 2, inputChannels: 3, height: 7, width: 7, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        Case(batch: 3, inputChannels: 2, height: 6, width: 9, outputChannels: 5, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        Case(batch: 2, inputChannels: 4, height: 8, width: 5, outputChannels: 3, kernelHeight: 2, kernelWidth: 4, stride: 1, padding: 0),
        Case(batch: 1, inputChannels: 2, height: 9, width: 10, outputChannels: 2, kernelHeight: 5, kernelWidth: 3, stride: 3, padding: 2),
        Case(batch: 4, inputChannels: 3, height: 5, width: 6, outputChannels: 6, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0),
        Case(batch: 3, inputChannels: 4, height: 7, width: 6, outputChannels: 3, kernelHeight: 1, kernelWidth: 1, stride: 2, padding: 0),
        Case(batch: 2, inputChannels: 2, height: 4, width: 4, outputChannels: 3, kernelHeight: 4, kernelWidth: 4, stride: 1, padding: 0),
        Case(batch: 2, inputChannels: 1, height: 3, width: 5, outputChannels: 2, kernelHeight: 5, kernelWidth: 5, stride: 2, padding: 2),
        Case(batch: 5, inputChannels: 3, height: 10, width: 8, outputChannels: 8, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        // Same-size ("shifted plane") unfolding with shifts of ±2 columns.
        Case(batch: 2, inputChannels: 2, height: 6, width: 7, outputChannels: 3, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2),
        // Large enough (≥ 2¹⁶ column entries) to split over threads: same-size and strided.
        Case(batch: 8, inputChannels: 4, height: 16, width: 16, outputChannels: 5, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        Case(batch: 8, inputChannels: 4, height: 32, width: 31, outputChannels: 3, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        // More than one 16-lane block of output channels (forward) and of input channels
        // (stride-1 input gradient), each with a partial last block.
        Case(batch: 2, inputChannels: 17, height: 5, width: 6, outputChannels: 20, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        // Two whole 16-lane blocks of output channels, with tiles of six positions that
        // straddle images (90 positions each).
        Case(batch: 8, inputChannels: 4, height: 9, width: 10, outputChannels: 32, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        // Output rows of whole 16-position tiles, for the row kernels as well: the stem's
        // 3×3 stride-2 shape with 33 channels (partial last channel groups of 6 and of 4);
        // 50 taps (a partial last group of three); stride 3 (no vector unfolding); two
        // tiles per row, no padding.
        Case(batch: 3, inputChannels: 3, height: 12, width: 32, outputChannels: 33, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        Case(batch: 2, inputChannels: 2, height: 9, width: 32, outputChannels: 7, kernelHeight: 5, kernelWidth: 5, stride: 2, padding: 2),
        Case(batch: 2, inputChannels: 1, height: 5, width: 46, outputChannels: 5, kernelHeight: 1, kernelWidth: 3, stride: 3, padding: 1),
        Case(batch: 2, inputChannels: 2, height: 4, width: 34, outputChannels: 6, kernelHeight: 2, kernelWidth: 3, stride: 1, padding: 0),
    ]

    static let algorithms: [ConvolutionAlgorithm] = [.unfolding, .oneDNN]

    /// Every case with every algorithm.
    static let runs: [(Case, ConvolutionAlgorithm)] = cases.flatMap { c in algorithms.map { (c, $0) } }

    // MARK: Geometry

    @Test func geometryComputesOutputSizesAndShapes() {
        let g = Conv2dGeometry(
            batch: 8, inputChannels: 3, height: 32, width: 24, outputChannels: 16,
            kernelHeight: 3, kernelWidth: 5, stride: 2, padding: 1)
        #expect(g.outputHeight == 16)  // (32 + 2 − 3) / 2 + 1
        #expect(g.outputWidth == 11)  // (24 + 2 − 5) / 2 + 1
        #expect(g.outputPositions == 176)
        #expect(g.columnRows == 45)
        #expect(g.inputShape == [8, 3, 32, 24])
        #expect(g.outputShape == [8, 16, 16, 11])
        #expect(g.weightShape == [16, 3, 3, 5])
        #expect(g.weightCount == 16 * 45)
        #expect(g.forwardFlops == 2 * 8 * 16 * 45 * 176)
        #expect(!g.isPointwise)

        let same = Conv2dGeometry(inputShape: [2, 4, 7, 9], outputChannels: 4, kernelHeight: 3, kernelWidth: 3, padding: 1)
        #expect(same.outputShape == [2, 4, 7, 9])
        let exact = Conv2dGeometry(inputShape: [1, 1, 5, 5], outputChannels: 1, kernelHeight: 5, kernelWidth: 5)
        #expect(exact.outputShape == [1, 1, 1, 1])
        let pointwise = Conv2dGeometry(inputShape: [1, 2, 3, 3], outputChannels: 2, kernelHeight: 1, kernelWidth: 1)
        #expect(pointwise.isPointwise)
        #expect(!Conv2dGeometry(inputShape: [1, 2, 3, 3], outputChannels: 2, kernelHeight: 1, kernelWidth: 1, stride: 2).isPointwise)
    }

    @Test func chunksRespectTheColumnLimit() {
        let g = Conv2dGeometry(inputShape: [10, 2, 4, 4], outputChannels: 3, kernelHeight: 3, kernelWidth: 3, padding: 1)
        let perImage = 18 * 16
        #expect(g.imagesPerChunk(maximumColumnElements: perImage * 3) == 3)
        #expect(g.imagesPerChunk(maximumColumnElements: perImage * 3 + perImage - 1) == 3)
        #expect(g.imagesPerChunk(maximumColumnElements: 1) == 1)  // at least one image
        #expect(g.imagesPerChunk(maximumColumnElements: 1 << 30) == 10)  // at most the batch
    }

    // MARK: Unfolding

    @Test(arguments: cases) func im2colMatchesDefinition(_ c: Case) {
        let g = c.geometry
        var rng = RandomGenerator(seed: 1)
        let x = Tensor.randomNormal(shape: g.inputShape, using: &rng)
        let rowLength = g.batch * g.outputPositions
        var columns = [Float](repeating: .nan, count: g.columnRows * rowLength)
        x.withUnsafeBufferPointer { xb in
            columns.withUnsafeMutableBufferPointer { g.im2col(xb, images: g.batch, into: $0) }
        }
        var mismatches = 0
        for ch in 0..<g.inputChannels {
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let row = (ch * g.kernelHeight + ky) * g.kernelWidth + kx
                    for i in 0..<g.batch {
                        for oy in 0..<g.outputHeight {
                            for ox in 0..<g.outputWidth {
                                let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                                let inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width
                                let expected: Float = inside ? x[i, ch, iy, ix] : 0
                                let actual = columns[row * rowLength + i * g.outputPositions + oy * g.outputWidth + ox]
                                if actual != expected { mismatches += 1 }
                            }
                        }
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: cases) func col2imIsTheAccumulatingAdjointOfIm2col(_ c: Case) {
        let g = c.geometry
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.randomNormal(shape: g.inputShape, using: &rng)
        let count = g.columnRows * g.batch * g.outputPositions
        let probe = Tensor.randomNormal(shape: [count], using: &rng)
        let start = Tensor.randomNormal(shape: g.inputShape, using: &rng)
        var columns = [Float](repeating: 0, count: count)
        x.withUnsafeBufferPointer { xb in
            columns.withUnsafeMutableBufferPointer { g.im2col(xb, images: g.batch, into: $0) }
        }
        var folded = start
        probe.withUnsafeBufferPointer { pb in
            folded.withUnsafeMutableBufferPointer { g.col2im(pb, images: g.batch, accumulatingInto: $0) }
        }
        // ⟨im2col(x), P⟩ = ⟨x, col2im(P)⟩, where col2im(P) = folded − start.
        let lhs = dot(columns, probe.scalars)
        var rhs = 0.0
        for i in 0..<x.count { rhs += Double(x.scalars[i]) * (Double(folded.scalars[i]) - Double(start.scalars[i])) }
        #expect(abs(lhs - rhs) <= 1e-4 * (1 + abs(lhs)), "⟨im2col x, P⟩ = \(lhs), ⟨x, col2im P⟩ = \(rhs)")

        // Direct definition of the fold, element by element.
        var expected = start.scalars.map(Double.init)
        let rowLength = g.batch * g.outputPositions
        forEachTap(g) { i, ch, ky, kx, oy, ox, iy, ix in
            let row = (ch * g.kernelHeight + ky) * g.kernelWidth + kx
            let value = probe.scalars[row * rowLength + i * g.outputPositions + oy * g.outputWidth + ox]
            expected[x.flatIndex([i, ch, iy, ix])] += Double(value)
        }
        #expect(worstError(folded.scalars, expected) < 1e-5)
    }

    // MARK: Forward

    @Test(arguments: runs) func forwardMatchesDirectLoops(_ c: Case, _ algorithm: ConvolutionAlgorithm) {
        let g = c.geometry
        var rng = RandomGenerator(seed: 3)
        let (x, w, b) = operands(g, &rng)
        let expected = referenceForward(g, x, w, b)
        // One chunk, one image per chunk, and two images per chunk (uneven last chunk).
        let perImage = g.columnRows * g.outputPositions
        for limit in [Conv2dGeometry.defaultMaximumColumnElements, 1, 2 * perImage] {
            let y = forward(g, x, w, b, maximumColumnElements: limit, algorithm: algorithm)
            #expect(y.shape == g.outputShape)
            #expect(worstError(y.scalars, expected) < 1e-5, "column limit \(limit)")
        }
        let unbiased = forward(g, x, w, nil, algorithm: algorithm)
        #expect(worstError(unbiased.scalars, referenceForward(g, x, w, nil)) < 1e-5)
    }

    // MARK: Backward

    @Test(arguments: runs) func backwardMatchesDirectAdjoint(_ c: Case, _ algorithm: ConvolutionAlgorithm) {
        let g = c.geometry
        var rng = RandomGenerator(seed: 4)
        let (x, w, _) = operands(g, &rng)
        let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        let expected = referenceBackward(g, x, w, dy)
        let perImage = g.columnRows * g.outputPositions
        // Weight and bias gradients sum batch · positions Float32 terms; rounding grows like
        // the square root of that count, so the bound does too beyond 256 terms.
        let reductionTolerance = 1e-5 * max(1, (Double(g.batch * g.outputPositions) / 256).squareRoot())
        for limit in [Conv2dGeometry.defaultMaximumColumnElements, 1, 2 * perImage] {
            let (dx, dw, db) = backward(g, x, w, dy, maximumColumnElements: limit, algorithm: algorithm)
            #expect(dx.shape == g.inputShape)
            #expect(worstError(dx.scalars, expected.input) < 1e-5, "input gradient, column limit \(limit)")
            #expect(worstError(dw, expected.weight) < reductionTolerance, "weight gradient, column limit \(limit)")
            #expect(worstError(db, expected.bias) < reductionTolerance, "bias gradient, column limit \(limit)")
        }
    }

    @Test(arguments: runs) func backwardSatisfiesTheAdjointIdentity(_ c: Case, _ algorithm: ConvolutionAlgorithm) {
        let g = c.geometry
        var rng = RandomGenerator(seed: 5)
        let (x, w, _) = operands(g, &rng)
        let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        let y = forward(g, x, w, nil, algorithm: algorithm)
        let (dx, dw, _) = backward(g, x, w, dy, algorithm: algorithm)
        // Convolution is bilinear: ⟨conv(x, W), g⟩ = ⟨x, convᵀ_W(g)⟩ = ⟨W, ∂_W⟨conv, g⟩⟩.
        let output = dot(y.scalars, dy.scalars)
        let viaInput = dot(x.scalars, dx.scalars)
        let viaWeight = dot(w.scalars, dw)
        #expect(abs(output - viaInput) <= 1e-4 * (1 + abs(output)), "⟨y, g⟩ = \(output), ⟨x, dx⟩ = \(viaInput)")
        #expect(abs(output - viaWeight) <= 1e-4 * (1 + abs(output)), "⟨y, g⟩ = \(output), ⟨W, dW⟩ = \(viaWeight)")
    }

    @Test(arguments: [cases[0], cases[1], cases[3], cases[4]], algorithms)
    func backwardMatchesFiniteDifferencesOfDoubleReference(_ c: Case, _ algorithm: ConvolutionAlgorithm) {
        let g = c.geometry
        var rng = RandomGenerator(seed: 6)
        let (x, w, b) = operands(g, &rng)
        let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        let (dx, dw, db) = backward(g, x, w, dy, algorithm: algorithm)
        let xd = x.scalars.map(Double.init), wd = w.scalars.map(Double.init), bd = b.scalars.map(Double.init)
        let probe = dy.scalars.map(Double.init)
        func objective(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            zip(referenceForwardDouble(g, x, w, b), probe).reduce(0) { $0 + $1.0 * $1.1 }
        }
        /// Central difference of the objective along one coordinate, `shifted(δ)` evaluating it there.
        func numeric(_ shifted: (Double) -> Double) -> Double {
            let h = 1e-3
            return (shifted(h) - shifted(-h)) / (2 * h)
        }
        func shift(_ values: [Double], _ i: Int, _ delta: Double) -> [Double] {
            var copy = values
            copy[i] += delta
            return copy
        }
        for i in sampleIndices(x.count, &rng) {
            let n = numeric { objective(shift(xd, i, $0), wd, bd) }
            #expect(abs(Double(dx.scalars[i]) - n) <= 1e-4 * (1 + abs(n)), "input[\(i)]: analytic \(dx.scalars[i]), numeric \(n)")
        }
        for i in sampleIndices(w.count, &rng) {
            let n = numeric { objective(xd, shift(wd, i, $0), bd) }
            #expect(abs(Double(dw[i]) - n) <= 1e-4 * (1 + abs(n)), "weight[\(i)]: analytic \(dw[i]), numeric \(n)")
        }
        for i in 0..<bd.count {
            let n = numeric { objective(xd, wd, shift(bd, i, $0)) }
            #expect(abs(Double(db[i]) - n) <= 1e-4 * (1 + abs(n)), "bias[\(i)]: analytic \(db[i]), numeric \(n)")
        }
    }

    @Test(arguments: algorithms) func backwardAccumulatesParameterGradients(_ algorithm: ConvolutionAlgorithm) {
        let g = Self.cases[0].geometry
        var rng = RandomGenerator(seed: 7)
        let (x, w, _) = operands(g, &rng)
        let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        let once = backward(g, x, w, dy, algorithm: algorithm)
        var dw = [Float](repeating: 1, count: g.weightCount)
        var db = [Float](repeating: -2, count: g.outputChannels)
        w.withUnsafeBufferPointer { wb in
            dw.withUnsafeMutableBufferPointer { dwb in
                db.withUnsafeMutableBufferPointer { dbb in
                    for _ in 0..<2 {
                        _ = Tensor.conv2dBackward(
                            outputGradient: dy, input: x, weight: wb, geometry: g, weightGradient: dwb, biasGradient: dbb,
                            algorithm: algorithm)
                    }
                }
            }
        }
        #expect(worstError(dw, once.weight.map { 1 + 2 * Double($0) }) < 1e-5)
        #expect(worstError(db, once.bias.map { -2 + 2 * Double($0) }) < 1e-5)
    }

    /// The bias gradient that `conv2dBackward` and `conv2dKernelGradient` add to what the
    /// buffer held is the same in both, bit for bit, and is `conv2dBiasGradient`'s: bit for
    /// bit on the unfolding path (which calls it), to float rounding on oneDNN (which forms
    /// it in the kernel gradient's pass, in its own order).
    @Test(arguments: runs) func biasGradientIsTheBitsOfConv2dBiasGradient(_ c: Case, _ algorithm: ConvolutionAlgorithm) {
        let g = c.geometry
        var rng = RandomGenerator(seed: 10)
        let (x, w, _) = operands(g, &rng)
        let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        let start = Tensor.randomNormal(shape: [g.outputChannels], using: &rng).scalars
        var expected = start
        expected.withUnsafeMutableBufferPointer { Tensor.conv2dBiasGradient(outputGradient: dy, accumulatingInto: $0) }
        var dw = [Float](repeating: 0, count: g.weightCount)
        var alone = start, withBackward = start
        dw.withUnsafeMutableBufferPointer { dwb in
            alone.withUnsafeMutableBufferPointer { dbb in
                Tensor.conv2dKernelGradient(
                    outputGradient: dy, input: x, geometry: g, accumulatingInto: dwb, biasGradient: dbb, algorithm: algorithm)
            }
            w.withUnsafeBufferPointer { wb in
                withBackward.withUnsafeMutableBufferPointer { dbb in
                    _ = Tensor.conv2dBackward(
                        outputGradient: dy, input: x, weight: wb, geometry: g, weightGradient: dwb, biasGradient: dbb,
                        algorithm: algorithm)
                }
            }
        }
        #expect(alone.map(\.bitPattern) == withBackward.map(\.bitPattern))
        if algorithm == .unfolding { #expect(alone.map(\.bitPattern) == expected.map(\.bitPattern)) }
        // Against the definition: the start plus the sum of each channel's planes.
        var sums = start.map(Double.init)
        for n in 0..<g.batch {
            for o in 0..<g.outputChannels {
                for p in 0..<g.outputPositions { sums[o] += Double(dy.scalars[(n * g.outputChannels + o) * g.outputPositions + p]) }
            }
        }
        // The unfolding path sums in Double; oneDNN in Float (720 terms in the largest case).
        #expect(worstError(alone, sums) < (algorithm == .unfolding ? 1e-5 : 1e-4))
    }

    @Test func aBiasGradientOfTheWrongSizeStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let g = Conv2dGeometry(inputShape: [1, 3, 32, 32], outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
            var dw = [Float](repeating: 0, count: g.weightCount), db = [Float](repeating: 0, count: 3)
            dw.withUnsafeMutableBufferPointer { dwb in
                db.withUnsafeMutableBufferPointer { dbb in
                    Tensor.conv2dKernelGradient(
                        outputGradient: Tensor(shape: g.outputShape), input: Tensor(shape: g.inputShape), geometry: g,
                        accumulatingInto: dwb, biasGradient: dbb)
                }
            }
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("conv2dKernelGradient: bias gradient holds 3 elements, expected 4"))
        }
    }

    /// The kernel gradient alone is the backward pass's, bit for bit, fresh and reusing the
    /// forward pass's unfolding or reordered input, and accumulates like it.
    @Test(arguments: runs) func kernelGradientAloneMatchesBackward(_ c: Case, _ algorithm: ConvolutionAlgorithm) {
        let g = c.geometry
        var rng = RandomGenerator(seed: 9)
        let (x, w, _) = operands(g, &rng)
        let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        let full = backward(g, x, w, dy, algorithm: algorithm).weight
        for reusing in [false, true] {
            let space = ConvolutionWorkspace()
            if reusing {
                _ = w.withUnsafeBufferPointer { wb in
                    Tensor.conv2dForward(input: x, weight: wb, bias: nil, geometry: g, workspace: space, algorithm: algorithm)
                }
            }
            var dw = [Float](repeating: 0, count: g.weightCount)
            dw.withUnsafeMutableBufferPointer { dwb in
                Tensor.conv2dKernelGradient(
                    outputGradient: dy, input: x, geometry: g, accumulatingInto: dwb, workspace: space,
                    reusingForwardColumns: reusing, algorithm: algorithm)
            }
            #expect(dw == full, "reusing the forward pass: \(reusing)")
            dw.withUnsafeMutableBufferPointer { dwb in
                Tensor.conv2dKernelGradient(
                    outputGradient: dy, input: x, geometry: g, accumulatingInto: dwb, workspace: space,
                    reusingForwardColumns: reusing, algorithm: algorithm)
            }
            #expect(worstError(dw, full.map { 2 * Double($0) }) < 1e-5)
        }
    }

    /// Per-channel sums over batch and positions, added to what the buffer holds, at plane
    /// sizes on both sides of the 8- and 32-element steps.
    @Test(arguments: [1, 7, 8, 9, 31, 32, 33, 100, 256])
    func biasGradientSumsEachChannel(_ positions: Int) {
        var rng = RandomGenerator(seed: 10)
        let dy = Tensor.randomNormal(shape: [3, 4, 1, positions], using: &rng)
        var db: [Float] = [1, -1, 0.5, 0]
        db.withUnsafeMutableBufferPointer { Tensor.conv2dBiasGradient(outputGradient: dy, accumulatingInto: $0) }
        let expected = (0..<4).map { o in
            [1, -1, 0.5, 0][o] + (0..<3).reduce(0.0) { total, i in
                total + (0..<positions).reduce(0.0) { $0 + Double(dy[i, o, 0, $1]) }
            }
        }
        #expect(worstError(db, expected) < 1e-6 * Double(positions).squareRoot())
    }

    /// Large enough (2¹⁸ elements) to split the channels over threads.
    @Test func biasGradientIsTheSameBitsAtOneAndTwoThreads() {
        var rng = RandomGenerator(seed: 11)
        let dy = Tensor.randomNormal(shape: [8, 32, 32, 32], using: &rng)
        // The split is stated, not set through `BLAS.setThreadCount`: other tests running
        // meanwhile compare oneDNN results bit for bit, which hold at one thread count only.
        func run(parts: Int) -> [UInt32] {
            var db = [Float](repeating: 0.5, count: 32)
            db.withUnsafeMutableBufferPointer { Tensor.conv2dBiasGradient(outputGradient: dy, accumulatingInto: $0, parts: parts) }
            return db.map(\.bitPattern)
        }
        #expect(run(parts: 1) == run(parts: 2))
    }

    @Test(arguments: algorithms) func emptyBatchGivesEmptyResults(_ algorithm: ConvolutionAlgorithm) {
        let g = Conv2dGeometry(inputShape: [0, 2, 5, 5], outputChannels: 3, kernelHeight: 3, kernelWidth: 3, padding: 1)
        var rng = RandomGenerator(seed: 8)
        let w = Tensor.randomNormal(shape: g.weightShape, using: &rng)
        let y = forward(g, Tensor(shape: g.inputShape), w, nil, algorithm: algorithm)
        #expect(y.shape == [0, 3, 5, 5])
        let (dx, dw, db) = backward(g, Tensor(shape: g.inputShape), w, Tensor(shape: g.outputShape), algorithm: algorithm)
        #expect(dx.shape == [0, 2, 5, 5])
        #expect(dw.allSatisfy { $0 == 0 } && db.allSatisfy { $0 == 0 })
    }

    // MARK: - Helpers

    private func operands(_ g: Conv2dGeometry, _ rng: inout RandomGenerator) -> (Tensor, Tensor, Tensor) {
        (Tensor.randomNormal(shape: g.inputShape, using: &rng),
         Tensor.randomNormal(shape: g.weightShape, using: &rng),
         Tensor.randomNormal(shape: [g.outputChannels], using: &rng))
    }

    private func forward(
        _ g: Conv2dGeometry, _ x: Tensor, _ w: Tensor, _ b: Tensor?,
        maximumColumnElements: Int = Conv2dGeometry.defaultMaximumColumnElements,
        algorithm: ConvolutionAlgorithm = .unfolding
    ) -> Tensor {
        w.withUnsafeBufferPointer { wb in
            if let b {
                b.withUnsafeBufferPointer { bb in
                    Tensor.conv2dForward(
                        input: x, weight: wb, bias: bb, geometry: g, maximumColumnElements: maximumColumnElements,
                        algorithm: algorithm)
                }
            } else {
                Tensor.conv2dForward(
                    input: x, weight: wb, bias: nil, geometry: g, maximumColumnElements: maximumColumnElements,
                    algorithm: algorithm)
            }
        }
    }

    private func backward(
        _ g: Conv2dGeometry, _ x: Tensor, _ w: Tensor, _ dy: Tensor,
        maximumColumnElements: Int = Conv2dGeometry.defaultMaximumColumnElements,
        algorithm: ConvolutionAlgorithm = .unfolding
    ) -> (input: Tensor, weight: [Float], bias: [Float]) {
        var dw = [Float](repeating: 0, count: g.weightCount)
        var db = [Float](repeating: 0, count: g.outputChannels)
        let dx = w.withUnsafeBufferPointer { wb in
            dw.withUnsafeMutableBufferPointer { dwb in
                db.withUnsafeMutableBufferPointer { dbb in
                    Tensor.conv2dBackward(
                        outputGradient: dy, input: x, weight: wb, geometry: g,
                        weightGradient: dwb, biasGradient: dbb, maximumColumnElements: maximumColumnElements,
                        algorithm: algorithm)
                }
            }
        }
        return (dx, dw, db)
    }

    /// Calls `body(i, c, ky, kx, oy, ox, iy, ix)` for every kernel tap that lands inside the input.
    private func forEachTap(_ g: Conv2dGeometry, _ body: (Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
        for i in 0..<g.batch {
            for c in 0..<g.inputChannels {
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<g.kernelWidth {
                        for oy in 0..<g.outputHeight {
                            for ox in 0..<g.outputWidth {
                                let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                                if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width {
                                    body(i, c, ky, kx, oy, ox, iy, ix)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The direct seven-loop definition in Double on flat NCHW / OIHW arrays.
    private func referenceForwardDouble(_ g: Conv2dGeometry, _ x: [Double], _ w: [Double], _ b: [Double]?) -> [Double] {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        var y = [Double](repeating: 0, count: g.batch * g.outputChannels * oh * ow)
        for i in 0..<g.batch {
            for o in 0..<g.outputChannels {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var sum = b?[o] ?? 0
                        for c in 0..<g.inputChannels {
                            for ky in 0..<g.kernelHeight {
                                for kx in 0..<g.kernelWidth {
                                    let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                                    guard iy >= 0 && iy < g.height && ix >= 0 && ix < g.width else { continue }
                                    let xv = x[((i * g.inputChannels + c) * g.height + iy) * g.width + ix]
                                    let wv = w[((o * g.inputChannels + c) * g.kernelHeight + ky) * g.kernelWidth + kx]
                                    sum += xv * wv
                                }
                            }
                        }
                        y[((i * g.outputChannels + o) * oh + oy) * ow + ox] = sum
                    }
                }
            }
        }
        return y
    }

    private func referenceForward(_ g: Conv2dGeometry, _ x: Tensor, _ w: Tensor, _ b: Tensor?) -> [Double] {
        referenceForwardDouble(g, x.scalars.map(Double.init), w.scalars.map(Double.init), b?.scalars.map(Double.init))
    }

    /// The adjoint written out directly: every product x·w in the forward sum sends g to both factors.
    private func referenceBackward(
        _ g: Conv2dGeometry, _ x: Tensor, _ w: Tensor, _ dy: Tensor
    ) -> (input: [Double], weight: [Double], bias: [Double]) {
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: g.outputChannels)
        for i in 0..<g.batch {
            for o in 0..<g.outputChannels {
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth { db[o] += Double(dy[i, o, oy, ox]) }
                }
            }
        }
        forEachTap(g) { i, c, ky, kx, oy, ox, iy, ix in
            for o in 0..<g.outputChannels {
                let gv = Double(dy[i, o, oy, ox])
                dx[x.flatIndex([i, c, iy, ix])] += gv * Double(w[o, c, ky, kx])
                dw[w.flatIndex([o, c, ky, kx])] += gv * Double(x[i, c, iy, ix])
            }
        }
        return (dx, dw, db)
    }

    private func sampleIndices(_ count: Int, _ rng: inout RandomGenerator) -> [Int] {
        Array(rng.permutation(count).prefix(12))
    }

    private func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Largest `|actual − expected| / (1 + |expected|)`.
    private func worstError(_ actual: [Float], _ expected: [Double]) -> Double {
        precondition(actual.count == expected.count, "worstError: \(actual.count) vs \(expected.count) elements")
        return zip(actual, expected).reduce(0) { max($0, abs(Double($1.0) - $1.1) / (1 + abs($1.1))) }
    }
}
