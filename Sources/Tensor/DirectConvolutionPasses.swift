/// The forward and backward passes of a `Conv2dGeometry` on the direct kernels: the
/// offset tables and packed kernels that turn each pass into `DirectConvolution`
/// correlations, and the buffers they live in.
extension DirectConvolution {
    /// The input padded by `g.padding` on every side.
    static func paddedInputLayout(_ g: Conv2dGeometry) -> PaddedLayout {
        PaddedLayout(
            images: g.batch, channels: g.inputChannels,
            height: g.height + 2 * g.padding, width: g.width + 2 * g.padding)
    }

    /// One spatial axis of the input gradient split into `stride` phases: input index
    /// `start + stride·i` (`i < count`) receives, from each kernel index `k` in `taps`, the
    /// output gradient at `i + shift`.
    struct AxisPhases {
        struct Phase {
            let start, count: Int
            let taps: [(k: Int, shift: Int)]
        }
        let phases: [Phase]
        /// Zero rows (or columns) the output gradient needs before and after it, so every
        /// shifted read lands in the padded buffer.
        let padBefore, padAfter: Int

        init(extent: Int, outputCount: Int, kernel: Int, stride: Int, padding: Int) {
            var phases: [Phase] = []
            var before = 0, after = 0
            for start in 0..<min(stride, extent) {
                let count = (extent - start + stride - 1) / stride
                // Input index y = o·stride − padding + k, so o = i + (start + padding − k) / stride.
                let taps = (0..<kernel).compactMap { k -> (k: Int, shift: Int)? in
                    let numerator = start + padding - k
                    let remainder = ((numerator % stride) + stride) % stride
                    return remainder == 0 ? (k, (numerator - remainder) / stride) : nil
                }
                for tap in taps {
                    before = max(before, -tap.shift)
                    after = max(after, count - 1 + tap.shift - (outputCount - 1))
                }
                phases.append(Phase(start: start, count: count, taps: taps))
            }
            self.phases = phases
            padBefore = before
            padAfter = after
        }
    }

    /// The input gradient of `g` as `stride²` correlations of the padded output gradient.
    struct InputGradientPlan {
        let rows, columns: AxisPhases
        let layout: PaddedLayout

        init(_ g: Conv2dGeometry) {
            rows = AxisPhases(
                extent: g.height, outputCount: g.outputHeight, kernel: g.kernelHeight, stride: g.stride, padding: g.padding)
            columns = AxisPhases(
                extent: g.width, outputCount: g.outputWidth, kernel: g.kernelWidth, stride: g.stride, padding: g.padding)
            layout = PaddedLayout(
                images: g.batch, channels: g.outputChannels,
                height: g.outputHeight + rows.padBefore + rows.padAfter,
                width: g.outputWidth + columns.padBefore + columns.padAfter)
        }
    }

    /// Grows `space` for the forward pass of `g`; for its backward pass when `backward`
    /// (with the input gradient's buffers when given its plan). With `rows`, the forward
    /// pass and the kernel gradient run the row kernels, which need neither the padded
    /// input nor the transposed output gradient.
    private static func reserve(
        _ space: ConvolutionWorkspace, for g: Conv2dGeometry, rows: Bool, backward: Bool, inputGradient plan: InputGradientPlan?
    ) {
        let forwardPositions = g.batch * g.outputPositions, inputPositions = g.batch * g.height * g.width
        let gradientTaps = g.outputChannels * g.kernelHeight * g.kernelWidth
        let forwardPacking = rows ? RowConvolution.packedForwardCount(g) : laneBlocks(g.outputChannels) * tileLanes * g.columnRows
        space.reserveDirect(
            paddedInput: rows ? 0 : paddedInputLayout(g).count,
            packedKernel: max(forwardPacking, plan == nil ? 0 : laneBlocks(g.inputChannels) * tileLanes * gradientTaps),
            transposedGradient: backward && !rows ? forwardPositions * laneBlocks(g.outputChannels) * tileLanes : 0,
            paddedGradient: plan?.layout.count ?? 0,
            offsets: plan == nil ? (rows ? 0 : forwardTableCount(g)) : forwardTableCount(g) + gradientTaps + 2 * inputPositions)
    }

    /// Entries of the forward correlation's offset tables, which start `space.offsets`; the
    /// input gradient's tables follow them.
    private static func forwardTableCount(_ g: Conv2dGeometry) -> Int {
        g.columnRows + 2 * g.batch * g.outputPositions
    }

    /// The input of `g` padded by `g.padding` on every side.
    private static func inputPadding(_ g: Conv2dGeometry) -> Padding {
        Padding(layout: paddedInputLayout(g), top: g.padding, left: g.padding)
    }

    /// Pads the input into `space.paddedInput` unless `reusing` and it already holds this
    /// geometry's batch. The zero borders of the last padding are kept when the shape is
    /// the same.
    private static func padInput(_ x: UnsafePointer<Float>, _ g: Conv2dGeometry, _ space: ConvolutionWorkspace, reusing: Bool) {
        guard !(reusing && space.padded == g) else { return }
        let padding = inputPadding(g)
        let bordersAreZero = space.padded.map(inputPadding) == padding
        pad(x, height: g.height, width: g.width, padding: padding,
            into: space.paddedInput.baseAddress!, bordersAreZero: bordersAreZero)
        space.padded = g
    }

    /// The forward correlation, over the tables at the start of `space.offsets`:
    /// `g.columnRows` tap offsets (in the order of the column matrix's rows), then one input
    /// offset and one output offset per output position of the batch. The tables depend on
    /// the geometry alone, so the forward and backward passes of one geometry build them
    /// once. The correlation writes to `output`.
    private static func forwardCorrelation(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, packed: UnsafePointer<Float>, space: ConvolutionWorkspace,
        output: UnsafeMutablePointer<Float>
    ) -> Correlation {
        let positions = g.batch * g.outputPositions
        let tapOffsets = space.offsets.baseAddress!
        let positionOffsets = tapOffsets + g.columnRows, outputOffsets = positionOffsets + positions
        if space.forwardTables != g {
            let layout = paddedInputLayout(g)
            g.forEachKernelTap { c, ky, kx, t in tapOffsets[t] = c * layout.planeSize + ky * layout.width + kx }
            var k = 0
            for n in 0..<g.batch {
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth {
                        positionOffsets[k] = n * layout.imageSize + oy * g.stride * layout.width + ox * g.stride
                        outputOffsets[k] = n * g.outputChannels * g.outputPositions + oy * g.outputWidth + ox
                        k += 1
                    }
                }
            }
            space.forwardTables = g
        }
        return Correlation(
            taps: g.columnRows, positions: positions, outputChannels: g.outputChannels, channelStride: g.outputPositions,
            input: input, packed: packed, tapOffsets: tapOffsets, positionOffsets: positionOffsets,
            outputOffsets: outputOffsets, output: output)
    }

    /// The forward pass: `output` (NCHW, every element written) from `input`, the kernel
    /// `[outputChannels, inputChannels, kh, kw]` and the bias.
    static func forward(
        input x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, bias: UnsafeBufferPointer<Float>?,
        geometry g: Conv2dGeometry, workspace space: ConvolutionWorkspace, rows: Bool, output y: UnsafeMutablePointer<Float>
    ) {
        reserve(space, for: g, rows: rows, backward: false, inputGradient: nil)
        if rows {
            RowConvolution.packForward(w, geometry: g, into: space.packedKernel.baseAddress!)
            RowConvolution.forward(input: x, packed: space.packedKernel.baseAddress!, bias: bias, geometry: g, output: y)
            return
        }
        padInput(x, g, space, reusing: false)
        let taps = g.columnRows
        pack(outputChannels: g.outputChannels, taps: taps, into: space.packedKernel.baseAddress!) { o, t in w[o * taps + t] }
        let c = forwardCorrelation(
            g, input: space.paddedInput.baseAddress!, packed: space.packedKernel.baseAddress!, space: space, output: y)
        correlate(c, bias: bias)
    }

    /// Adds the kernel gradient to `weightGradient` and, when `inputGradient` names the
    /// kernel and a destination, writes the input gradient there (the destination must hold
    /// zeros: input elements no kernel tap reaches are not written). `biasGradient` is for
    /// the row kernels, which add the bias gradient as they go; it must be nil otherwise.
    static func backward(
        outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
        geometry g: Conv2dGeometry, weightGradient dW: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>? = nil,
        workspace space: ConvolutionWorkspace, rows: Bool, reusingPaddedInput: Bool,
        inputGradient: (weight: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>)?
    ) {
        let plan = inputGradient.map { _ in InputGradientPlan(g) }
        reserve(space, for: g, rows: rows, backward: true, inputGradient: plan)
        precondition(rows || biasGradient == nil, "DirectConvolution.backward: only the row kernels add the bias gradient")
        if rows {
            RowConvolution.accumulateKernelGradient(outputGradient: dy, input: x, geometry: g, into: dW, biasGradient: biasGradient)
        } else {
            padInput(x, g, space, reusing: reusingPaddedInput)
            let scratch = space.transposedGradient.baseAddress!
            transpose(dy, images: g.batch, channels: g.outputChannels, positions: g.outputPositions, into: scratch)
            accumulateKernelGradient(forwardCorrelation(
                g, input: space.paddedInput.baseAddress!, packed: scratch, space: space, output: dW))
        }
        if let plan, let (w, dx) = inputGradient {
            accumulateInputGradient(dy, weight: w, geometry: g, plan: plan, workspace: space, into: dx)
        }
    }

    /// Writes the input gradient: the output gradient padded once, then for each
    /// (row phase, column phase) a correlation over its taps `(o, ky, kx)` with the kernel's
    /// channel axes swapped. Threads take blocks of whole images and run every phase on
    /// a block before the next, so a block's input gradient stays in cache while its
    /// phases fill it in.
    private static func accumulateInputGradient(
        _ dy: UnsafePointer<Float>, weight w: UnsafePointer<Float>, geometry g: Conv2dGeometry, plan: InputGradientPlan,
        workspace space: ConvolutionWorkspace, into dx: UnsafeMutablePointer<Float>
    ) {
        let padding = Padding(layout: plan.layout, top: plan.rows.padBefore, left: plan.columns.padBefore)
        pad(dy, height: g.outputHeight, width: g.outputWidth, padding: padding,
            into: space.paddedGradient.baseAddress!, bordersAreZero: space.paddedGradientBorders == padding)
        space.paddedGradientBorders = padding
        let phases = inputGradientPhases(plan, weight: w, geometry: g, workspace: space, output: dx)
        let work = phases.reduce(0) { $0 + $1.correlation.positions * $1.correlation.taps } * laneBlocks(g.inputChannels) * tileLanes
        BLAS.flopCounter?.add(phases.reduce(0) { $0 + 2 * $1.correlation.positions * $1.correlation.taps * g.inputChannels })
        let zeros = startingTiles(outputChannels: g.inputChannels, bias: nil)
        // About 256 KB of input gradient per block.
        let imagesPerBlock = max(1, (1 << 16) / (g.inputChannels * g.height * g.width))
        ParallelRanges.forEach(g.batch, parts: ParallelRanges.parts(forElements: work, minimumElements: 1 << 20)) { images in
            zeros.withUnsafeBufferPointer { starts in
                for blockStart in stride(from: images.lowerBound, to: images.upperBound, by: imagesPerBlock) {
                    let block = blockStart..<min(images.upperBound, blockStart + imagesPerBlock)
                    for phase in phases {
                        correlateTiles(
                            phase.correlation,
                            positions: (block.lowerBound * phase.positionsPerImage)..<(block.upperBound * phase.positionsPerImage),
                            startingTiles: starts.baseAddress!)
                    }
                }
            }
        }
    }

    /// `pack` for one phase, without a closure call and index division per element: lane
    /// `j` of block `b` at tap `(o, ky, kx)` (kernel rows `rowTaps`, columns `columnTaps`)
    /// is `w[o, b·16 + j, ky, kx]`, zero past the input channels.
    private static func packPhaseKernel(
        _ w: UnsafePointer<Float>, geometry g: Conv2dGeometry, rowTaps: [Int], columnTaps: [Int],
        into packed: UnsafeMutablePointer<Float>
    ) {
        let inC = g.inputChannels, (kh, kw) = (g.kernelHeight, g.kernelWidth)
        let taps = g.outputChannels * rowTaps.count * columnTaps.count
        var row = packed
        for b in 0..<laneBlocks(inC) {
            let lanes = min(tileLanes, inC - b * tileLanes)
            for o in 0..<g.outputChannels {
                for ky in rowTaps {
                    for kx in columnTaps {
                        // w[o, c, ky, kx] for c = b·16 + j sits kh·kw floats apart.
                        let first = w + ((o * inC + b * tileLanes) * kh + ky) * kw + kx
                        for j in 0..<lanes { row[j] = first[j * kh * kw] }
                        for j in lanes..<tileLanes { row[j] = 0 }
                        row += tileLanes
                    }
                }
            }
        }
        assert(row == packed + laneBlocks(inC) * taps * tileLanes)
    }

    /// One phase of the input gradient: its correlation over the whole batch, whose
    /// positions run image by image, `positionsPerImage` each.
    struct InputGradientPhase: Sendable {
        let correlation: Correlation
        let positionsPerImage: Int
    }

    /// Builds every phase's offset tables and packed kernel in `space` (taps, positions and
    /// packed kernels of the phases side by side): tap `(o, ky, kx)` reads the padded output
    /// gradient at `o`'s plane, shifted by the tap's row and column shifts; position
    /// `(n, i, j)` is the input element `(start_y + stride·i, start_x + stride·j)` of image `n`.
    private static func inputGradientPhases(
        _ plan: InputGradientPlan, weight w: UnsafePointer<Float>, geometry g: Conv2dGeometry,
        workspace space: ConvolutionWorkspace, output dx: UnsafeMutablePointer<Float>
    ) -> [InputGradientPhase] {
        let d = plan.layout, inC = g.inputChannels
        let pairs = plan.rows.phases.filter { !$0.taps.isEmpty }.flatMap { row in
            plan.columns.phases.filter { !$0.taps.isEmpty }.map { (row, $0) }
        }
        let totalTaps = pairs.reduce(0) { $0 + g.outputChannels * $1.0.taps.count * $1.1.taps.count }
        let totalPositions = pairs.reduce(0) { $0 + g.batch * $1.0.count * $1.1.count }
        assert(forwardTableCount(g) + totalTaps + 2 * totalPositions <= space.offsets.count)
        var tapOffsets = space.offsets.baseAddress! + forwardTableCount(g)
        var positionOffsets = tapOffsets + totalTaps, outputOffsets = positionOffsets + totalPositions
        var packed = space.packedKernel.baseAddress!
        var phases: [InputGradientPhase] = []
        for (rowPhase, columnPhase) in pairs {
            let (rowTaps, columnTaps) = (rowPhase.taps, columnPhase.taps)
            let taps = g.outputChannels * rowTaps.count * columnTaps.count
            let perImage = rowPhase.count * columnPhase.count
            var t = 0
            for o in 0..<g.outputChannels {
                for row in rowTaps {
                    for column in columnTaps {
                        tapOffsets[t] = o * d.planeSize + (row.shift + plan.rows.padBefore) * d.width
                            + column.shift + plan.columns.padBefore
                        t += 1
                    }
                }
            }
            var k = 0
            for n in 0..<g.batch {
                for i in 0..<rowPhase.count {
                    for j in 0..<columnPhase.count {
                        positionOffsets[k] = n * d.imageSize + i * d.width + j
                        outputOffsets[k] = (n * inC * g.height + rowPhase.start + g.stride * i) * g.width
                            + columnPhase.start + g.stride * j
                        k += 1
                    }
                }
            }
            packPhaseKernel(
                w, geometry: g, rowTaps: rowTaps.map(\.k), columnTaps: columnTaps.map(\.k), into: packed)
            phases.append(InputGradientPhase(
                correlation: Correlation(
                    taps: taps, positions: g.batch * perImage, outputChannels: inC, channelStride: g.height * g.width,
                    input: space.paddedGradient.baseAddress!, packed: packed, tapOffsets: tapOffsets,
                    positionOffsets: positionOffsets, outputOffsets: outputOffsets, output: dx),
                positionsPerImage: perImage))
            tapOffsets += taps
            positionOffsets += g.batch * perImage
            outputOffsets += g.batch * perImage
            packed += laneBlocks(inC) * tileLanes * taps
        }
        return phases
    }
}
