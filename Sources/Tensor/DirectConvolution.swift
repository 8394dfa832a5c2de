/// Which kernels a 2-D convolution runs.
public enum ConvolutionAlgorithm: Sendable, Equatable {
    /// Where this build vectorises the direct kernels (`DirectConvolution.isVectorised`)
    /// and the kernel is not a plain 1×1 product: `.directRows` for output rows of whole
    /// 16-position tiles and fewer than 8 input channels (the cnn's stem), `.direct`
    /// otherwise. `.unfolding` elsewhere.
    case automatic
    /// im2col + one OpenBLAS GEMM per chunk of images (col2im for the input gradient).
    case unfolding
    /// Register-tiled direct kernels (`DirectConvolution`) over a zero-padded copy of the
    /// input, with no column matrix, for all three products.
    case direct
    /// `.direct`, except that the forward pass and the kernel gradient run the row kernels
    /// (`RowConvolution`: adjacent output positions in the lanes instead of output
    /// channels). Needs an output width that is a multiple of 16.
    case directRows

    /// Whether a convolution of geometry `g` runs the direct kernels.
    public func usesDirectKernels(for g: Conv2dGeometry) -> Bool {
        switch self {
        case .unfolding: false
        case .direct, .directRows: true
        case .automatic: DirectConvolution.isVectorised && !g.isPointwise
        }
    }

    /// Whether this algorithm can run a convolution of geometry `g`: all can, except
    /// `.directRows`, whose output rows must be whole tiles of 16 positions.
    public func supports(_ g: Conv2dGeometry) -> Bool {
        self != .directRows || RowConvolution.supports(g)
    }

    /// Whether a convolution of geometry `g` runs its forward pass, kernel gradient and bias
    /// gradient on the row kernels (a use of the direct kernels): `.directRows` (which stops unless `RowConvolution` supports `g`), or
    /// `.automatic` where the direct kernels are vectorised and `RowConvolution` prefers `g`.
    public func usesRowKernels(for g: Conv2dGeometry) -> Bool {
        switch self {
        case .unfolding, .direct: return false
        case .directRows:
            precondition(
                RowConvolution.supports(g),
                "ConvolutionAlgorithm.directRows: the output width \(g.outputWidth) of \(g) is not a multiple of \(RowConvolution.tilePositions)")
            return true
        case .automatic: return DirectConvolution.isVectorised && !g.isPointwise && RowConvolution.isPreferred(for: g)
        }
    }
}

/// Direct 2-D convolution kernels: the convolution is computed from a zero-padded copy of
/// the input, without a column matrix.
///
/// At the cnn's thin layers (32–64 channels) OpenBLAS runs the im2col products at only
/// half its large-square rate (M = 32, K = 288 or 32), and the column matrix (up to 38 MB)
/// is written and read in every pass. Here one micro-kernel (`RegisterTile`) serves all
/// three products. It keeps a 6 × 16 tile of sums in registers and, for each step `k` of a
/// reduction, adds `x[rowOffsets[k] + columnOffsets[r]] · v[k][0..<16]` to row `r`:
/// - forward: `k` runs over kernel taps `(c, ky, kx)`, the rows are output positions and
///   the lanes output channels (`v` = the kernel, repacked);
/// - input gradient: the output gradient, zero-padded, correlated with the kernel with its
///   channel axes swapped; at stride `s` the input grid splits into `s²` phases
///   `(y mod s, x mod s)`, each a stride-1 correlation with the taps that reach it;
/// - kernel gradient: `k` runs over all positions of the batch, the rows are kernel taps
///   and the lanes output channels (`v` = the output gradient, transposed).
///
/// Each output element is one sum in a fixed order, computed by one thread, so results do
/// not depend on the thread count.
public enum DirectConvolution {
    /// Whether this build compiles the kernels to vector fused multiply-adds (the package
    /// enables it for release builds on x86-64 CPUs with Haswell's features, AVX2 and FMA
    /// among them, and on arm64). Elsewhere each lane's multiply-add is a libm call, so
    /// `.automatic` keeps to `.unfolding`.
    #if OPTBENCH_VECTOR_FMA
    public static let isVectorised = true
    #else
    public static let isVectorised = false
    #endif

    /// Rows (positions or taps) of the register tile.
    static let tileRows = RegisterTile.rows
    /// Lanes (output channels) of the register tile: two 8-lane vectors.
    static let tileLanes = RegisterTile.lanes

    /// Blocks of 16 lanes that hold `channels` channels.
    static func laneBlocks(_ channels: Int) -> Int { (channels + tileLanes - 1) / tileLanes }

    /// A zero-padded NCHW batch: `images × channels` planes of `height × width`.
    struct PaddedLayout: Equatable {
        let images, channels, height, width: Int
        var planeSize: Int { height * width }
        var imageSize: Int { channels * planeSize }
        var count: Int { images * imageSize }
    }

    /// One correlation, described by three offset tables: output element (position `k`,
    /// channel `o`) is `bias[o] + Σ_t packed[o, t] · input[positionOffsets[k] + tapOffsets[t]]`,
    /// stored at `output[outputOffsets[k] + o · channelStride]`. Output offsets increase
    /// with `k`. Handed to worker threads, which write disjoint parts of `output`.
    struct Correlation: @unchecked Sendable {
        let taps, positions, outputChannels, channelStride: Int
        let input: UnsafePointer<Float>
        let packed: UnsafePointer<Float>
        let tapOffsets: UnsafePointer<Int>
        let positionOffsets: UnsafePointer<Int>
        let outputOffsets: UnsafePointer<Int>
        let output: UnsafeMutablePointer<Float>
    }

    /// A zero-padded layout and where the data sits in it: the zero borders one padding
    /// leaves behind, which a later padding of the same kind can keep.
    struct Padding: Equatable {
        let layout: PaddedLayout
        let top, left: Int
    }

    /// A source and a destination handed to worker threads that write disjoint parts of it.
    struct CopyPointers: @unchecked Sendable {
        let source: UnsafePointer<Float>
        let destination: UnsafeMutablePointer<Float>
    }

    // MARK: Padding

    /// Copies `images × channels` planes of `height × width` into `padding.layout`, with
    /// `padding.top` rows and `padding.left` columns of zeros before them and zeros after.
    /// When `bordersAreZero` (the buffer's last padding was the same), only the interior is
    /// written.
    static func pad(
        _ source: UnsafePointer<Float>, height: Int, width: Int, padding: Padding,
        into destination: UnsafeMutablePointer<Float>, bordersAreZero: Bool
    ) {
        let layout = padding.layout, padTop = padding.top, padLeft = padding.left
        let planes = layout.images * layout.channels
        let pointers = CopyPointers(source: source, destination: destination)
        ParallelRanges.forEach(planes, parts: ParallelRanges.parts(forElements: layout.count)) { range in
            // Plain loops throughout: planes are 4² to 34², where a `memset` call per
            // border costs more than the stores.
            for plane in range {
                let from = pointers.source + plane * height * width
                let to = pointers.destination + plane * layout.planeSize
                if bordersAreZero {
                    for y in 0..<height { copy(from + y * width, to: to + (padTop + y) * layout.width + padLeft, count: width) }
                    continue
                }
                let below = padTop + height
                for i in 0..<(padTop * layout.width) { to[i] = 0 }
                for y in 0..<height {
                    let row = to + (padTop + y) * layout.width
                    for x in 0..<padLeft { row[x] = 0 }
                    copy(from + y * width, to: row + padLeft, count: width)
                    for x in (padLeft + width)..<layout.width { row[x] = 0 }
                }
                for i in (below * layout.width)..<layout.planeSize { to[i] = 0 }
            }
        }
    }

    /// Copies `count` floats eight at a time (rows here are 4 to 34 floats: too short for
    /// a library call to pay, and the compiler cannot vectorise a copy it must assume
    /// overlapping).
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            UnsafeMutableRawPointer(destination + i).storeBytes(
                of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            destination[i] = source[i]
            i += 1
        }
    }

    // MARK: Weight packing

    /// `[blocks][taps][width]` (`width` 16 by default): entry `j` of block `b` at tap `t` is
    /// `weight(b·width + j, t)`, zero past `outputChannels`.
    static func pack(
        outputChannels: Int, taps: Int, width: Int = tileLanes, into packed: UnsafeMutablePointer<Float>,
        _ weight: (Int, Int) -> Float
    ) {
        for b in 0..<((outputChannels + width - 1) / width) {
            for t in 0..<taps {
                let row = packed + (b * taps + t) * width
                for j in 0..<width {
                    let o = b * width + j
                    row[j] = o < outputChannels ? weight(o, t) : 0
                }
            }
        }
    }

    // MARK: Correlation

    /// Writes every output element of `c` (see `Correlation`); `c.packed` comes from `pack`
    /// with `c.taps` taps. Positions are split over threads.
    static func correlate(_ c: Correlation, bias: UnsafeBufferPointer<Float>?) {
        let tiles = (c.positions + tileRows - 1) / tileRows
        guard tiles > 0 else { return }
        BLAS.flopCounter?.add(2 * c.positions * c.taps * c.outputChannels)
        let biasTiles = startingTiles(outputChannels: c.outputChannels, bias: bias)
        let work = c.positions * c.taps * laneBlocks(c.outputChannels) * tileLanes
        ParallelRanges.forEach(tiles, parts: ParallelRanges.parts(forElements: work, minimumElements: 1 << 20)) { range in
            let positions = (range.lowerBound * tileRows)..<min(c.positions, range.upperBound * tileRows)
            biasTiles.withUnsafeBufferPointer { starts in
                correlateTiles(c, positions: positions, startingTiles: starts.baseAddress!)
            }
        }
    }

    /// Each lane block's starting tile: the bias of its channels on every row (zero past
    /// `outputChannels`, or everywhere without a bias).
    static func startingTiles(outputChannels: Int, bias: UnsafeBufferPointer<Float>?) -> [Float] {
        (0..<(laneBlocks(outputChannels) * RegisterTile.floats)).map { i -> Float in
            let o = i / RegisterTile.floats * tileLanes + i % tileLanes
            return o < outputChannels ? (bias?[o] ?? 0) : 0
        }
    }

    /// Writes the output elements of `c` at `positions`, in tiles of six positions from its
    /// start, on the calling thread.
    static func correlateTiles(
        _ c: Correlation, positions: Range<Int>, startingTiles: UnsafePointer<Float>
    ) {
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: RegisterTile.floats)
        let columns = UnsafeMutablePointer<Int>.allocate(capacity: tileRows)
        defer { sums.deallocate(); columns.deallocate() }
        let blocks = laneBlocks(c.outputChannels)
        // Blocks of tiles keep a few images' padded planes in cache across lane blocks.
        let blockLength = 64 * tileRows
        for blockStart in stride(from: positions.lowerBound, to: positions.upperBound, by: blockLength) {
            let blockEnd = min(positions.upperBound, blockStart + blockLength)
            for laneBlock in 0..<blocks {
                let weights = c.packed + laneBlock * c.taps * tileLanes
                let firstLane = laneBlock * tileLanes
                let lanes = min(tileLanes, c.outputChannels - firstLane)
                for first in stride(from: blockStart, to: blockEnd, by: tileRows) {
                    let rows = min(tileRows, blockEnd - first)
                    for r in 0..<tileRows { columns[r] = c.positionOffsets[first + min(r, rows - 1)] }
                    copy(startingTiles + laneBlock * RegisterTile.floats, to: sums, count: RegisterTile.floats)
                    RegisterTile.accumulate(
                        into: sums, x: c.input, rowOffsets: c.tapOffsets, count: c.taps, columns: columns,
                        v: weights, vStride: tileLanes)
                    store(
                        sums, rows: rows, lanes: lanes, outputOffsets: c.outputOffsets + first,
                        channelStride: c.channelStride, into: c.output + firstLane * c.channelStride)
                }
            }
        }
    }

    /// Writes `rows × lanes` of a tile: element `(r, j)` to `output[outputOffsets[r] + j·channelStride]`.
    /// A full tile is written channel by channel, six elements at a time (adjacent ones
    /// when the offsets are consecutive, as in the forward pass).
    @inline(__always)
    private static func store(
        _ sums: UnsafePointer<Float>, rows: Int, lanes: Int, outputOffsets: UnsafePointer<Int>, channelStride: Int,
        into output: UnsafeMutablePointer<Float>
    ) {
        if rows == tileRows {
            let o0 = output + outputOffsets[0], o1 = output + outputOffsets[1], o2 = output + outputOffsets[2]
            let o3 = output + outputOffsets[3], o4 = output + outputOffsets[4], o5 = output + outputOffsets[5]
            for j in 0..<lanes {
                let c = j * channelStride
                o0[c] = sums[j]; o1[c] = sums[tileLanes + j]; o2[c] = sums[2 * tileLanes + j]
                o3[c] = sums[3 * tileLanes + j]; o4[c] = sums[4 * tileLanes + j]; o5[c] = sums[5 * tileLanes + j]
            }
            return
        }
        for r in 0..<rows {
            let out = output + outputOffsets[r]
            for j in 0..<lanes { out[j * channelStride] = sums[r * tileLanes + j] }
        }
    }

    // MARK: Kernel gradient

    /// Adds `Σ_k transposedGradient[k, o] · input[positionOffsets[k] + tapOffsets[t]]` to
    /// `weightGradient[o · taps + t]` for the `c.outputChannels` channels and `c.taps` taps
    /// (`c.packed` is the output gradient from `transpose`, `[laneBlocks][positions][16]`;
    /// `c.output` is the kernel gradient and output offsets are unused). Each sum runs over
    /// the positions in order.
    static func accumulateKernelGradient(_ c: Correlation) {
        let tapTiles = (c.taps + tileRows - 1) / tileRows
        let blocks = laneBlocks(c.outputChannels)
        let items = blocks * tapTiles
        guard c.positions > 0, items > 0 else { return }
        BLAS.flopCounter?.add(2 * c.positions * c.taps * c.outputChannels)
        let work = c.positions * c.taps * blocks * tileLanes
        ParallelRanges.forEach(items, parts: ParallelRanges.parts(forElements: work, minimumElements: 1 << 20)) { range in
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: range.count * RegisterTile.floats)
            let columns = UnsafeMutablePointer<Int>.allocate(capacity: range.count * tileRows)
            defer { sums.deallocate(); columns.deallocate() }
            sums.initialize(repeating: 0, count: range.count * RegisterTile.floats)
            for (slot, item) in range.enumerated() {
                let firstTap = (item % tapTiles) * tileRows, rows = min(tileRows, c.taps - firstTap)
                for r in 0..<tileRows { columns[slot * tileRows + r] = c.tapOffsets[firstTap + min(r, rows - 1)] }
            }
            // Blocks of positions keep their padded planes and gradient rows in cache
            // across all of this part's tiles; the sums carry over from block to block.
            // (256 positions measured 5–15 % faster than 512 or 1024 at the cnn's layers.)
            for blockStart in Swift.stride(from: 0, to: c.positions, by: 256) {
                let count = min(256, c.positions - blockStart)
                for (slot, item) in range.enumerated() {
                    let laneBlock = item / tapTiles
                    RegisterTile.accumulate(
                        into: sums + slot * RegisterTile.floats, x: c.input,
                        rowOffsets: c.positionOffsets + blockStart, count: count, columns: columns + slot * tileRows,
                        v: c.packed + (laneBlock * c.positions + blockStart) * tileLanes, vStride: tileLanes)
                }
            }
            for (slot, item) in range.enumerated() {
                let laneBlock = item / tapTiles, firstTap = (item % tapTiles) * tileRows
                let rows = min(tileRows, c.taps - firstTap)
                let lanes = min(tileLanes, c.outputChannels - laneBlock * tileLanes)
                let tile = sums + slot * RegisterTile.floats
                for j in 0..<lanes {
                    let row = c.output + (laneBlock * tileLanes + j) * c.taps + firstTap
                    for r in 0..<rows { row[r] += tile[r * tileLanes + j] }
                }
            }
        }
    }

    /// `[images, channels, positions]` → `[laneBlocks(channels)][images · positions][16]`,
    /// zero past `channels`: each 16-channel block of the output gradient, channels last,
    /// so the kernel gradient reads one contiguous 64-byte row per position. Whole 8 × 8
    /// blocks go through registers; the edges are copied one element at a time.
    static func transpose(
        _ source: UnsafePointer<Float>, images: Int, channels: Int, positions: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let blockSize = images * positions * tileLanes
        let pointers = CopyPointers(source: source, destination: destination)
        ParallelRanges.forEach(images, parts: ParallelRanges.parts(forElements: laneBlocks(channels) * blockSize)) { range in
            /// Where channel `o` of position `q` of image `n` goes.
            func target(_ n: Int, _ q: Int, _ o: Int) -> UnsafeMutablePointer<Float> {
                pointers.destination + (o / tileLanes) * blockSize + (n * positions + q) * tileLanes + o % tileLanes
            }
            for n in range {
                let from = pointers.source + n * channels * positions
                let wholePositions = positions / 8 * 8, wholeChannels = channels / 8 * 8
                for q in Swift.stride(from: 0, to: wholePositions, by: 8) {
                    for o in Swift.stride(from: 0, to: wholeChannels, by: 8) {
                        transposeBlock(from + o * positions + q, rowStride: positions, into: target(n, q, o), rowStride: tileLanes)
                    }
                }
                for q in 0..<positions {
                    let first = q < wholePositions ? wholeChannels : 0
                    for o in first..<channels { target(n, q, o).pointee = from[o * positions + q] }
                    for o in channels..<(laneBlocks(channels) * tileLanes) { target(n, q, o).pointee = 0 }
                }
            }
        }
    }

    /// Writes the transpose of the 8 × 8 block at `source` (rows `sourceStride` apart) to
    /// `destination` (rows `destinationStride` apart). Three rounds of pairing vectors and
    /// splitting even from odd lanes each move one bit of the column index into the row
    /// index.
    @inline(__always)
    private static func transposeBlock(
        _ source: UnsafePointer<Float>, rowStride sourceStride: Int,
        into destination: UnsafeMutablePointer<Float>, rowStride destinationStride: Int
    ) {
        typealias Lanes = SIMD8<Float>
        func row(_ k: Int) -> Lanes { UnsafeRawPointer(source + k * sourceStride).loadUnaligned(as: Lanes.self) }
        /// Even lanes of `x` then of `y`, and odd lanes of `x` then of `y`.
        func split(_ x: Lanes, _ y: Lanes) -> (Lanes, Lanes) {
            (Lanes(lowHalf: x.evenHalf, highHalf: y.evenHalf), Lanes(lowHalf: x.oddHalf, highHalf: y.oddHalf))
        }
        var (r0, r1) = split(row(0), row(1)), (r2, r3) = split(row(2), row(3))
        var (r4, r5) = split(row(4), row(5)), (r6, r7) = split(row(6), row(7))
        (r0, r2) = split(r0, r2); (r1, r3) = split(r1, r3); (r4, r6) = split(r4, r6); (r5, r7) = split(r5, r7)
        (r0, r4) = split(r0, r4); (r1, r5) = split(r1, r5); (r2, r6) = split(r2, r6); (r3, r7) = split(r3, r7)
        func store(_ k: Int, _ value: Lanes) {
            UnsafeMutableRawPointer(destination + k * destinationStride).storeBytes(of: value, as: Lanes.self)
        }
        store(0, r0); store(1, r1); store(2, r2); store(3, r3); store(4, r4); store(5, r5); store(6, r6); store(7, r7)
    }
}
