/// Direct convolution kernels with adjacent output positions of one row in the vector
/// lanes, for the forward pass and the kernel gradient of convolutions with few input
/// channels, such as the cnn's stem (3 → 32 channels at stride 2).
///
/// `DirectConvolution` puts 16 output channels in the lanes and scatters each tile's six
/// positions across 16 output planes; with 27 taps per output that scatter, and the
/// transposition of the output gradient its kernel gradient needs, cost as much as the
/// arithmetic. Here each image is first split by column phase (`RowUnfolding`: at stride 2
/// the even and the odd columns of each zero-padded row, 13 KB per stem image, kept in
/// cache), so that every tap's 16 positions of an output row are one contiguous 64-byte
/// read:
/// - forward: a 6 × 16 tile of (output channel, position) sums gains, per tap `t`,
///   `w[o, t] · unfolded[t][16 positions]`, and is stored as six contiguous runs of 16
///   outputs, one in each of its channels' NCHW planes. Each output is the bias plus the
///   taps' products in tap order, the sum `DirectConvolution` forms, so the two forward
///   passes agree bit for bit;
/// - kernel gradient: a 4 × 3 tile of (output channel, tap) sums, each an 8-lane vector
///   over positions `ox ≡ lane (mod 8)`, reads the output gradient in place, 8 positions at
///   a time; blocks of images keep their own sums, added in a fixed order at the end.
///
/// Threads take whole images (forward) or whole blocks of images (kernel gradient), so the
/// results do not depend on the thread count. The input gradient stays with
/// `DirectConvolution`.
enum RowConvolution {
    typealias Lanes = SIMD8<Float>

    /// Output positions of one forward tile: two 8-lane vectors of one output row.
    static let tilePositions = 16
    /// Output channels of one forward tile.
    static let tileChannels = 6
    /// Output channels and taps of one kernel-gradient tile.
    static let gradientChannels = 4, gradientTaps = 3

    /// Whether the row kernels can run `g`: each output row must be whole tiles.
    static func supports(_ g: Conv2dGeometry) -> Bool { g.outputWidth % tilePositions == 0 }

    /// Whether `.automatic` runs `g` on the row kernels: output rows of whole tiles and fewer
    /// than 8 input channels, where `DirectConvolution`'s reductions (`inputChannels · kh ·
    /// kw` taps) are too short to repay its scattered stores and transposition.
    static func isPreferred(for g: Conv2dGeometry) -> Bool { supports(g) && g.inputChannels < 8 }

    // MARK: Row unfolding

    /// The input split by column phase: for each image, input channel `c`, padded row `r`
    /// and phase `q < stride`, the padded row's columns `q, q + stride, q + 2·stride, …`
    /// (zero in the padding), `phaseWidth` floats. Tap `(c, ky, kx)` of output row `oy`
    /// then reads the `outputWidth` consecutive floats from column `kx / stride` of phase
    /// `kx % stride` of padded row `oy·stride + ky`: the padded columns `ox·stride + kx`.
    /// At stride 1 this is the zero-padded input itself.
    struct RowUnfolding {
        let channels, rows, stride, phaseWidth: Int

        init(_ g: Conv2dGeometry) {
            channels = g.inputChannels
            rows = (g.outputHeight - 1) * g.stride + g.kernelHeight
            stride = g.stride
            // Every padded column the taps read, ox·stride + kx < width + 2·padding, has a place.
            phaseWidth = (g.width + 2 * g.padding + g.stride - 1) / g.stride
        }

        /// Floats of one padded row: `stride` phases of `phaseWidth`.
        var rowSize: Int { stride * phaseWidth }
        /// Floats of one split image.
        var imageSize: Int { channels * rows * rowSize }

        /// Where padded column `x` of padded row `r` of channel `c` lies.
        func offset(channel c: Int, row r: Int, column x: Int) -> Int {
            (c * rows + r) * rowSize + (x % stride) * phaseWidth + x / stride
        }

        /// Offset of tap `(c, ky, kx)` from the start of its output row's first padded row.
        func tapOffset(channel c: Int, ky: Int, kx: Int) -> Int { offset(channel: c, row: ky, column: kx) }
    }

    /// Splits images one at a time (`RowUnfolding`) into a buffer of its own, on one thread.
    ///
    /// The buffer is zeroed once; each image then overwrites only the places of its own
    /// values, so the padding stays zero. Each image is written whole before a tile reads
    /// it, long enough before that no load waits on the stores it overlaps. (Copying each
    /// padded row's `kernelWidth` runs of `outputWidth` instead wrote half as much again at
    /// the stem, and needed a zero-padded copy of the image first.)
    struct ImageUnfolder {
        let geometry: Conv2dGeometry
        let layout: RowUnfolding
        /// Room for one split image (`layout.imageSize` floats).
        let image: UnsafeMutablePointer<Float>

        /// An unfolder with its own buffer; call `release()` when done.
        init(_ g: Conv2dGeometry) {
            geometry = g
            layout = RowUnfolding(g)
            image = .allocate(capacity: layout.imageSize)
            image.initialize(repeating: 0, count: layout.imageSize)
        }

        func release() { image.deallocate() }

        /// Splits image `n` of the NCHW batch `input` into the buffer and returns it.
        func unfold(image n: Int, of input: UnsafePointer<Float>) -> UnsafePointer<Float> {
            let g = geometry, u = layout, planeSize = g.height * g.width
            // Input rows that reach the split rows: y + padding < u.rows.
            let rows = max(0, min(g.height, u.rows - g.padding))
            for c in 0..<g.inputChannels {
                let plane = input + (n * g.inputChannels + c) * planeSize
                for y in 0..<rows {
                    split(plane + y * g.width, into: image + u.offset(channel: c, row: y + g.padding, column: 0))
                }
            }
            return UnsafePointer(image)
        }

        /// Writes input row `x` into the phases of its padded row `row`: `x[j]` at padded
        /// column `j + padding`.
        @inline(__always)
        private func split(_ x: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>) {
            let g = geometry, u = layout, p = g.padding
            switch g.stride {
            case 1:
                DirectConvolution.copy(x, to: row + p, count: g.width)
            case 2 where g.width % 16 == 0:
                // Even columns 2i go to phase p % 2 at i + p / 2, odd ones to the other
                // phase at i + (p + 1) / 2.
                let source = UnsafeRawPointer(x)
                let even = UnsafeMutableRawPointer(row + (p % 2) * u.phaseWidth + p / 2)
                let odd = UnsafeMutableRawPointer(row + ((p + 1) % 2) * u.phaseWidth + (p + 1) / 2)
                var j = 0
                while j < g.width {
                    let low = source.loadUnaligned(fromByteOffset: 4 &* j, as: Lanes.self)
                    let high = source.loadUnaligned(fromByteOffset: 4 &* j &+ 32, as: Lanes.self)
                    even.storeBytes(of: Lanes(lowHalf: low.evenHalf, highHalf: high.evenHalf), toByteOffset: 2 &* j, as: Lanes.self)
                    odd.storeBytes(of: Lanes(lowHalf: low.oddHalf, highHalf: high.oddHalf), toByteOffset: 2 &* j, as: Lanes.self)
                    j &+= 16
                }
            default:
                for j in 0..<g.width {
                    let column = j + p
                    row[(column % g.stride) * u.phaseWidth + column / g.stride] = x[j]
                }
            }
        }
    }

    // MARK: Forward

    /// `[channelGroups][taps][6]`: the kernel's column `t` for output channels `6·group ..<
    /// 6·group + 6`, zero past `outputChannels`.
    static func packForward(_ weight: UnsafePointer<Float>, geometry g: Conv2dGeometry, into packed: UnsafeMutablePointer<Float>) {
        let taps = g.columnRows
        DirectConvolution.pack(outputChannels: g.outputChannels, taps: taps, width: tileChannels, into: packed) { o, t in
            weight[o * taps + t]
        }
    }

    static func forwardGroups(_ g: Conv2dGeometry) -> Int { (g.outputChannels + tileChannels - 1) / tileChannels }
    static func packedForwardCount(_ g: Conv2dGeometry) -> Int { forwardGroups(g) * g.columnRows * tileChannels }

    /// Offsets of the taps `(c, ky, kx)`, in the order of the kernel's columns, in `u`.
    static func tapOffsets(_ g: Conv2dGeometry, _ u: RowUnfolding) -> [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(g.columnRows)
        g.forEachKernelTap { c, ky, kx, _ in offsets.append(u.tapOffset(channel: c, ky: ky, kx: kx)) }
        return offsets
    }

    /// The operands of a forward pass, handed to worker threads that write disjoint images.
    private struct ForwardOperands: @unchecked Sendable {
        let input, packed: UnsafePointer<Float>
        let output: UnsafeMutablePointer<Float>
    }

    /// Writes the NCHW output of `g` from `input` and the kernel packed by `packForward`,
    /// adding `bias`. Threads take whole images; each is split into a buffer of the
    /// thread's own (13 KB at the stem) just before its outputs are computed, so the split
    /// image never leaves the cache.
    static func forward(
        input: UnsafePointer<Float>, packed: UnsafePointer<Float>, bias: UnsafeBufferPointer<Float>?,
        geometry g: Conv2dGeometry, output: UnsafeMutablePointer<Float>
    ) {
        let u = RowUnfolding(g)
        let offsets = tapOffsets(g, u)
        BLAS.flopCounter?.add(g.forwardFlops)
        let operands = ForwardOperands(input: input, packed: packed, output: output)
        let groups = forwardGroups(g), taps = g.columnRows
        // The bias of each group's six channels (zero past the last channel, or everywhere).
        let biasTiles = (0..<(groups * tileChannels)).map { o -> Float in
            o < g.outputChannels ? (bias?[o] ?? 0) : 0
        }
        let work = g.batch * g.outputPositions * taps * groups * tileChannels
        ParallelRanges.forEach(g.batch, parts: ParallelRanges.parts(forElements: work, minimumElements: 1 << 20)) { images in
            let unfolder = ImageUnfolder(g)
            defer { unfolder.release() }
            offsets.withUnsafeBufferPointer { tapOffsets in
                biasTiles.withUnsafeBufferPointer { starts in
                    for n in images {
                        let unfolded = unfolder.unfold(image: n, of: operands.input)
                        for oy in 0..<g.outputHeight {
                            let source = unfolded + oy * g.stride * u.rowSize
                            for group in 0..<groups {
                                let first = group * tileChannels
                                let destination = operands.output + (n * g.outputChannels + first) * g.outputPositions + oy * g.outputWidth
                                for x in stride(from: 0, to: g.outputWidth, by: tilePositions) {
                                    forwardTile(
                                        source + x, tapOffsets: tapOffsets.baseAddress!, taps: taps,
                                        weights: operands.packed + group * taps * tileChannels, bias: starts.baseAddress! + first,
                                        channels: min(tileChannels, g.outputChannels - first), channelStride: g.outputPositions,
                                        output: destination + x)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One 6 × 16 forward tile: row `r` (output channel) starts at `bias[r]` and gains, for
    /// each tap `t` in order, `weights[6t + r] · x[tapOffsets[t] ..< tapOffsets[t] + 16]`;
    /// the first `channels` rows are stored `channelStride` apart from `output`.
    @inline(never)
    static func forwardTile(
        _ x: UnsafePointer<Float>, tapOffsets: UnsafePointer<Int>, taps: Int, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, channels: Int, channelStride: Int, output: UnsafeMutablePointer<Float>
    ) {
        let raw = UnsafeRawPointer(x)
        var a00 = Lanes(repeating: bias[0]), a01 = a00, a10 = Lanes(repeating: bias[1]), a11 = a10
        var a20 = Lanes(repeating: bias[2]), a21 = a20, a30 = Lanes(repeating: bias[3]), a31 = a30
        var a40 = Lanes(repeating: bias[4]), a41 = a40, a50 = Lanes(repeating: bias[5]), a51 = a50
        var w = weights
        for t in 0..<taps {
            let offset = 4 * tapOffsets[t]
            let x0 = raw.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            let x1 = raw.loadUnaligned(fromByteOffset: offset + 32, as: Lanes.self)
            var b = Lanes(repeating: w[0])
            a00 = a00.addingProduct(b, x0); a01 = a01.addingProduct(b, x1)
            b = Lanes(repeating: w[1])
            a10 = a10.addingProduct(b, x0); a11 = a11.addingProduct(b, x1)
            b = Lanes(repeating: w[2])
            a20 = a20.addingProduct(b, x0); a21 = a21.addingProduct(b, x1)
            b = Lanes(repeating: w[3])
            a30 = a30.addingProduct(b, x0); a31 = a31.addingProduct(b, x1)
            b = Lanes(repeating: w[4])
            a40 = a40.addingProduct(b, x0); a41 = a41.addingProduct(b, x1)
            b = Lanes(repeating: w[5])
            a50 = a50.addingProduct(b, x0); a51 = a51.addingProduct(b, x1)
            w += tileChannels
        }
        func store(_ r: Int, _ low: Lanes, _ high: Lanes) {
            let row = UnsafeMutableRawPointer(output + r * channelStride)
            row.storeBytes(of: low, as: Lanes.self)
            row.storeBytes(of: high, toByteOffset: 32, as: Lanes.self)
        }
        store(0, a00, a01)
        if channels > 1 { store(1, a10, a11) }
        if channels > 2 { store(2, a20, a21) }
        if channels > 3 { store(3, a30, a31) }
        if channels > 4 { store(4, a40, a41) }
        if channels > 5 { store(5, a50, a51) }
    }

    // MARK: Kernel gradient

    /// Images per block of the kernel gradient: each block's sums are kept apart and the
    /// blocks added in order at the end, so the result does not depend on how many threads
    /// shared the blocks.
    static let gradientImagesPerBlock = 8

    /// The operands of a kernel gradient, handed to worker threads that own disjoint blocks.
    private struct GradientOperands: @unchecked Sendable {
        let gradient, input: UnsafePointer<Float>
        let blockSums: UnsafeMutablePointer<Float>
        /// `[batch, outputChannels]` sums of the output gradient's planes, when the bias
        /// gradient is wanted.
        let planeSums: UnsafeMutablePointer<Float>?
    }

    /// Adds the kernel gradient of `g` to `weightGradient` (`[outputChannels, columnRows]`)
    /// from the NCHW output gradient and input.
    ///
    /// The batch is cut into blocks of `gradientImagesPerBlock` images, and threads take
    /// whole blocks. Within a block, each image is unfolded into the thread's own buffer
    /// and every 4 × 3 tile of (output channel, tap) sums runs over its positions: eight
    /// running sums per element, by position modulo 8, row by row. At the end the blocks'
    /// sums are added in block order, the eight lanes folded pairwise, and the result
    /// added to `weightGradient`.
    ///
    /// With `biasGradient`, the bias gradient is added to it too, bit for bit
    /// `Tensor.conv2dBiasGradient`'s: each image's output-gradient planes are summed just
    /// before its tiles read them (which brings them into the cache for the tiles), and the
    /// plane sums added per channel in Double, in image order. Summed on its own, the bias
    /// gradient read the whole output gradient from memory a second time (a tenth of the
    /// stem's parameter-gradient pass).
    static func accumulateKernelGradient(
        outputGradient: UnsafePointer<Float>, input: UnsafePointer<Float>, geometry g: Conv2dGeometry,
        into weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>? = nil
    ) {
        let u = RowUnfolding(g)
        let offsets = tapOffsets(g, u), taps = g.columnRows
        let channelGroups = (g.outputChannels + gradientChannels - 1) / gradientChannels
        let tapGroups = (taps + gradientTaps - 1) / gradientTaps
        let tiles = channelGroups * tapGroups, sumsPerTile = gradientChannels * gradientTaps * Lanes.scalarCount
        let blocks = (g.batch + gradientImagesPerBlock - 1) / gradientImagesPerBlock
        guard blocks > 0 else { return }
        BLAS.flopCounter?.add(g.forwardFlops)
        let blockSums = UnsafeMutablePointer<Float>.allocate(capacity: blocks * tiles * sumsPerTile)
        defer { blockSums.deallocate() }
        blockSums.initialize(repeating: 0, count: blocks * tiles * sumsPerTile)
        let planeSums = biasGradient.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: g.batch * g.outputChannels) }
        defer { planeSums?.deallocate() }
        let operands = GradientOperands(gradient: outputGradient, input: input, blockSums: blockSums, planeSums: planeSums)
        // Tile (channel group, tap group) reads four channels and three taps, the last
        // channel or tap repeated past the end (those sums are dropped).
        // Flat tables (four, then three, entries per tile) keep array copies off the loop.
        let tileChannels = (0..<(tiles * gradientChannels)).map { k in
            let (tile, i) = k.quotientAndRemainder(dividingBy: gradientChannels)
            return min(g.outputChannels - 1, (tile / tapGroups) * gradientChannels + i) * g.outputPositions
        }
        let tileTaps = (0..<(tiles * gradientTaps)).map { k in
            let (tile, j) = k.quotientAndRemainder(dividingBy: gradientTaps)
            return offsets[min(taps - 1, (tile % tapGroups) * gradientTaps + j)]
        }
        let work = g.batch * g.outputPositions * taps * g.outputChannels
        ParallelRanges.forEach(blocks, parts: ParallelRanges.parts(forElements: work, minimumElements: 1 << 20)) { range in
            let unfolder = ImageUnfolder(g)
            defer { unfolder.release() }
            for block in range {
                let sums = operands.blockSums + block * tiles * sumsPerTile
                let images = (block * gradientImagesPerBlock)..<min(g.batch, (block + 1) * gradientImagesPerBlock)
                for n in images {
                    let unfolded = unfolder.unfold(image: n, of: operands.input)
                    let gradient = operands.gradient + n * g.outputChannels * g.outputPositions
                    if let sums = operands.planeSums {
                        for o in 0..<g.outputChannels {
                            sums[n * g.outputChannels + o] = Tensor.planeSum(gradient + o * g.outputPositions, count: g.outputPositions)
                        }
                    }
                    for tile in 0..<tiles {
                        let c = gradientChannels * tile, t = gradientTaps * tile
                        gradientTile(
                            sums + tile * sumsPerTile,
                            gradient: (
                                gradient + tileChannels[c], gradient + tileChannels[c + 1],
                                gradient + tileChannels[c + 2], gradient + tileChannels[c + 3]),
                            unfolded: (unfolded + tileTaps[t], unfolded + tileTaps[t + 1], unfolded + tileTaps[t + 2]),
                            rows: g.outputHeight, width: g.outputWidth, rowStep: g.stride * u.rowSize)
                    }
                }
            }
        }
        for tile in 0..<tiles {
            for i in 0..<gradientChannels {
                let o = (tile / tapGroups) * gradientChannels + i
                guard o < g.outputChannels else { break }
                for j in 0..<gradientTaps {
                    let t = (tile % tapGroups) * gradientTaps + j
                    guard t < taps else { break }
                    let offset = tile * sumsPerTile + (i * gradientTaps + j) * Lanes.scalarCount
                    var lanes = Lanes()
                    for block in 0..<blocks {
                        lanes += UnsafeRawPointer(blockSums + block * tiles * sumsPerTile + offset).loadUnaligned(as: Lanes.self)
                    }
                    let four = lanes.lowHalf + lanes.highHalf, two = four.lowHalf + four.highHalf
                    weightGradient[o * taps + t] += two[0] + two[1]
                }
            }
        }
        if let planeSums, let biasGradient {
            Tensor.addChannelTotals(images: g.batch, channels: 0..<g.outputChannels, into: biasGradient) { n, o in
                planeSums[n * g.outputChannels + o]
            }
        }
    }

    /// One image's share of a 4 × 3 kernel-gradient tile: sum `(i, j)` (eight lanes at
    /// `sums + 8·(3i + j)`) gains `gradient.i[oy·width + x ..< +8] · unfolded.j[oy·rowStep + x ..< +8]`
    /// for every output row `oy` and every eighth position `x` (`width` is a multiple of 16).
    @inline(never)
    static func gradientTile(
        _ sums: UnsafeMutablePointer<Float>,
        gradient: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
        unfolded: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
        rows: Int, width: Int, rowStep: Int
    ) {
        let s = UnsafeMutableRawPointer(sums)
        func load(_ i: Int) -> Lanes { s.loadUnaligned(fromByteOffset: 32 * i, as: Lanes.self) }
        var a00 = load(0), a01 = load(1), a02 = load(2), a10 = load(3), a11 = load(4), a12 = load(5)
        var a20 = load(6), a21 = load(7), a22 = load(8), a30 = load(9), a31 = load(10), a32 = load(11)
        // Byte offsets: the output gradient's rows are consecutive, the unfolding's `rowStep` apart.
        var d0 = UnsafeRawPointer(gradient.0), d1 = UnsafeRawPointer(gradient.1)
        var d2 = UnsafeRawPointer(gradient.2), d3 = UnsafeRawPointer(gradient.3)
        var u0 = UnsafeRawPointer(unfolded.0), u1 = UnsafeRawPointer(unfolded.1), u2 = UnsafeRawPointer(unfolded.2)
        let rowBytes = 4 &* width, stepBytes = 4 &* rowStep
        for _ in 0..<rows {
            var x = 0
            while x < rowBytes {
                let x0 = u0.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                let x1 = u1.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                let x2 = u2.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                var y = d0.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                a00 = a00.addingProduct(y, x0); a01 = a01.addingProduct(y, x1); a02 = a02.addingProduct(y, x2)
                y = d1.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                a10 = a10.addingProduct(y, x0); a11 = a11.addingProduct(y, x1); a12 = a12.addingProduct(y, x2)
                y = d2.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                a20 = a20.addingProduct(y, x0); a21 = a21.addingProduct(y, x1); a22 = a22.addingProduct(y, x2)
                y = d3.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                a30 = a30.addingProduct(y, x0); a31 = a31.addingProduct(y, x1); a32 = a32.addingProduct(y, x2)
                x &+= 32
            }
            d0 += rowBytes; d1 += rowBytes; d2 += rowBytes; d3 += rowBytes
            u0 += stepBytes; u1 += stepBytes; u2 += stepBytes
        }
        func store(_ i: Int, _ value: Lanes) { s.storeBytes(of: value, toByteOffset: 32 * i, as: Lanes.self) }
        store(0, a00); store(1, a01); store(2, a02); store(3, a10); store(4, a11); store(5, a12)
        store(6, a20); store(7, a21); store(8, a22); store(9, a30); store(10, a31); store(11, a32)
    }
}
