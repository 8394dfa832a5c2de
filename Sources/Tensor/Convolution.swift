/// Shape bookkeeping for one 2-D convolution over NCHW tensors.
///
/// Layout follows PyTorch: the input is (batch, inputChannels, height, width), the kernel
/// is (outputChannels, inputChannels, kernelHeight, kernelWidth) and the output is
/// (batch, outputChannels, outputHeight, outputWidth). Stride and zero padding are the same
/// along both spatial axes. The validating initialiser stops with a message naming the
/// caller when the configuration cannot produce an output, so kernels never have to
/// re-check the sizes they loop over.
///
/// The shapes above are the images' (NCHW); `inputLayout` and `outputLayout` say how the
/// input and output tensors lie in memory (`ImageLayout`: planar, or channel-blocked as
/// oneDNN's convolutions keep them), so their tensors have `inputTensorShape` and
/// `outputTensorShape`. Only the oneDNN path takes blocked tensors.
public struct Conv2dGeometry: Equatable, Sendable {
    public let batch: Int
    public let inputChannels: Int
    public let height: Int
    public let width: Int
    public let outputChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Int
    /// How the input tensor lies in memory.
    public let inputLayout: ImageLayout
    /// How the output tensor lies in memory.
    public let outputLayout: ImageLayout

    /// Upper bound on the elements of one column buffer (64 MiB of Float32) used when the
    /// caller does not pass its own: large enough that one GEMM covers the whole batch at
    /// the cnn workload's sizes (38 MB at 128×32×16²), so the backward pass can reuse the
    /// forward's unfolding. Measured on the 2-core AMD EPYC VM (forward + backward with a
    /// kept workspace, three alternating rounds): 64 MiB gave 63–74 / 81–92 / 87–103 GFLOP/s
    /// at 128×32×16² → 32, 128×32×16² → 64 (stride 2) and 128×64×8² → 64, against
    /// 57–67 / 80–84 / 78–86 with 16 MiB chunks.
    public static let defaultMaximumColumnElements = 1 << 24

    /// A validated geometry. `caller` prefixes the error message (for example
    /// `"Conv2d 'stem'"`), so a bad configuration names the layer that made it.
    public init(
        batch: Int, inputChannels: Int, height: Int, width: Int,
        outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: Int = 1, padding: Int = 0,
        inputLayout: ImageLayout = .planar, outputLayout: ImageLayout = .planar,
        caller: String = "Conv2dGeometry"
    ) {
        precondition(batch >= 0, "\(caller): batch must be non-negative, got \(batch)")
        precondition(
            inputChannels >= 1 && outputChannels >= 1,
            "\(caller): channel counts must be positive, got input \(inputChannels), output \(outputChannels)")
        precondition(
            height >= 1 && width >= 1, "\(caller): image size must be positive, got \(height)×\(width)")
        precondition(
            kernelHeight >= 1 && kernelWidth >= 1,
            "\(caller): kernel size must be positive, got \(kernelHeight)×\(kernelWidth)")
        precondition(stride >= 1, "\(caller): stride must be at least 1, got \(stride)")
        precondition(padding >= 0, "\(caller): padding must be non-negative, got \(padding)")
        precondition(
            kernelHeight <= height + 2 * padding && kernelWidth <= width + 2 * padding,
            "\(caller): kernel \(kernelHeight)×\(kernelWidth) does not fit the input \(height)×\(width) with padding \(padding)")
        self.batch = batch
        self.inputChannels = inputChannels
        self.height = height
        self.width = width
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        precondition(
            inputLayout.admits(channels: inputChannels),
            "\(caller): \(inputChannels) input channels cannot be \(inputLayout)")
        precondition(
            outputLayout.admits(channels: outputChannels),
            "\(caller): \(outputChannels) output channels cannot be \(outputLayout)")
        self.stride = stride
        self.padding = padding
        self.inputLayout = inputLayout
        self.outputLayout = outputLayout
    }

    /// A validated geometry for an input tensor of shape `inputShape` in `inputLayout`
    /// (rank 4, NCHW, when planar).
    public init(
        inputShape: [Int], outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: Int = 1, padding: Int = 0, inputLayout: ImageLayout = .planar, outputLayout: ImageLayout = .planar,
        caller: String = "Conv2dGeometry"
    ) {
        guard let images = inputLayout.imagesShape(ofTensorShape: inputShape) else {
            preconditionFailure(
                "\(caller): input must be rank \(inputLayout.rank) \(inputLayout.axes), got shape \(inputShape)")
        }
        self.init(
            batch: images[0], inputChannels: images[1], height: images[2], width: images[3],
            outputChannels: outputChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            stride: stride, padding: padding, inputLayout: inputLayout, outputLayout: outputLayout, caller: caller)
    }

    /// Output rows: `(height + 2·padding − kernelHeight) / stride + 1`.
    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    /// Output columns: `(width + 2·padding − kernelWidth) / stride + 1`.
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Output positions per image and channel (`outputHeight · outputWidth`).
    public var outputPositions: Int { outputHeight * outputWidth }
    /// Rows of the column matrix: one per (input channel, kernel row, kernel column).
    public var columnRows: Int { inputChannels * kernelHeight * kernelWidth }

    /// (batch, inputChannels, height, width).
    public var inputShape: [Int] { [batch, inputChannels, height, width] }
    /// (batch, outputChannels, outputHeight, outputWidth).
    public var outputShape: [Int] { [batch, outputChannels, outputHeight, outputWidth] }
    /// The input tensor's shape: `inputShape` in `inputLayout`.
    public var inputTensorShape: [Int] { inputLayout.tensorShape(ofImages: inputShape) }
    /// The output tensor's shape: `outputShape` in `outputLayout`.
    public var outputTensorShape: [Int] { outputLayout.tensorShape(ofImages: outputShape) }
    /// Whether both tensors are planar (NCHW), as the unfolding path needs.
    public var isPlanar: Bool { inputLayout == .planar && outputLayout == .planar }
    /// (outputChannels, inputChannels, kernelHeight, kernelWidth).
    public var weightShape: [Int] { [outputChannels, inputChannels, kernelHeight, kernelWidth] }
    /// Elements of the kernel tensor.
    public var weightCount: Int { outputChannels * columnRows }

    /// Floating-point operations of the forward product (two per multiply-add), the unit
    /// for reporting convolution throughput against the sgemm rate. Backward costs twice this.
    public var forwardFlops: Int { 2 * batch * outputChannels * columnRows * outputPositions }

    /// Whether the convolution is a 1×1, stride-1, unpadded one, whose column matrix is the
    /// input itself, so no unfolding is needed.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0
    }

    /// Images per column buffer so that it holds at most `maximumColumnElements` elements
    /// (at least one image, at most the batch).
    public func imagesPerChunk(maximumColumnElements: Int) -> Int {
        precondition(maximumColumnElements >= 1, "Conv2dGeometry: maximumColumnElements must be positive, got \(maximumColumnElements)")
        let perImage = columnRows * outputPositions
        return max(1, min(batch, maximumColumnElements / perImage))
    }

    // MARK: - Unfolding

    /// Unfolds `images` consecutive NCHW images into the column matrix
    /// `[columnRows, images · outputPositions]` (row-major).
    ///
    /// Row `(c·kernelHeight + ky)·kernelWidth + kx`, column `i·outputPositions + oy·outputWidth + ox`
    /// holds `input[i, c, oy·stride − padding + ky, ox·stride − padding + kx]`, or zero where
    /// that lies in the padding. Every element of the matrix is written. The first `images`
    /// images of `input` are read; `input` may hold more. Large unfoldings are split by
    /// images over `BLAS.threadCount` threads; every element is a copy, so any split gives
    /// the same matrix.
    public func im2col(_ input: UnsafeBufferPointer<Float>, images: Int, into columns: UnsafeMutableBufferPointer<Float>) {
        let imageSize = inputChannels * height * width
        let rowLength = images * outputPositions
        precondition(images >= 0, "Conv2dGeometry.im2col: negative image count \(images)")
        precondition(
            input.count >= images * imageSize,
            "Conv2dGeometry.im2col: input holds \(input.count) elements, \(images) images need \(images * imageSize)")
        precondition(
            columns.count >= columnRows * rowLength,
            "Conv2dGeometry.im2col: column buffer holds \(columns.count) elements, needs \(columnRows * rowLength)")
        guard rowLength > 0, let source = input.baseAddress, let destination = columns.baseAddress else { return }
        let pointers = FoldPointers(images: UnsafeMutablePointer(mutating: source), columns: destination)
        forEachPlaneAndTap(images: images, pointers) { plane, segment, ky, kx, rows, cols in
            unfoldPlane(plane, ky: ky, kx: kx, rows: rows, cols: cols, into: segment)
        }
    }

    /// Folds the column matrix `[columnRows, images · outputPositions]` back onto `images`
    /// NCHW images, adding each column entry to the input element it was read from
    /// (the adjoint of `im2col`). Accumulates: `inputGradient` is not cleared first.
    /// Large foldings are split by images over `BLAS.threadCount` threads; each element
    /// receives its terms in kernel-tap order whatever the split, so the sums are the same.
    public func col2im(_ columns: UnsafeBufferPointer<Float>, images: Int, accumulatingInto inputGradient: UnsafeMutableBufferPointer<Float>) {
        let imageSize = inputChannels * height * width
        let rowLength = images * outputPositions
        precondition(images >= 0, "Conv2dGeometry.col2im: negative image count \(images)")
        precondition(
            inputGradient.count >= images * imageSize,
            "Conv2dGeometry.col2im: input gradient holds \(inputGradient.count) elements, \(images) images need \(images * imageSize)")
        precondition(
            columns.count >= columnRows * rowLength,
            "Conv2dGeometry.col2im: column buffer holds \(columns.count) elements, needs \(columnRows * rowLength)")
        guard rowLength > 0, let source = columns.baseAddress, let destination = inputGradient.baseAddress else { return }
        let pointers = FoldPointers(images: destination, columns: UnsafeMutablePointer(mutating: source))
        forEachPlaneAndTap(images: images, pointers) { plane, segment, ky, kx, rows, cols in
            foldPlane(segment, ky: ky, kx: kx, rows: rows, cols: cols, into: plane)
        }
    }

    /// The image and column buffers, handed to worker threads that touch disjoint images.
    private struct FoldPointers: @unchecked Sendable {
        let images: UnsafeMutablePointer<Float>
        let columns: UnsafeMutablePointer<Float>
    }

    /// Calls `body(plane, segment, ky, kx, rows, cols)` for every column-matrix row (in
    /// order) and every one of `images` images: the image's input plane for the row's
    /// channel, the row's `outputPositions` entries for that image, the tap and its valid
    /// output rows and columns. Large matrices are split by images over `BLAS.threadCount`
    /// threads; the parts touch disjoint images and column entries.
    @inline(__always)
    private func forEachPlaneAndTap(
        images: Int, _ pointers: FoldPointers,
        _ body: @Sendable (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, Int, Range<Int>, Range<Int>) -> Void
    ) {
        let imageSize = inputChannels * height * width, rowLength = images * outputPositions
        ParallelRanges.forEach(images, parts: ParallelRanges.parts(forElements: columnRows * rowLength)) { range in
            forEachKernelTap { c, ky, kx, row in
                let rows = validOutputRange(kernelOffset: ky, extent: height, outputCount: outputHeight)
                let cols = validOutputRange(kernelOffset: kx, extent: width, outputCount: outputWidth)
                let rowStart = pointers.columns + row * rowLength
                for i in range {
                    body(pointers.images + i * imageSize + c * height * width, rowStart + i * outputPositions, ky, kx, rows, cols)
                }
            }
        }
    }

    /// Calls `body(c, ky, kx, row)` for every column-matrix row in order. (Visiting all
    /// taps of one image plane at a time instead, with the plane in L1 cache but nine
    /// output streams at once, was tried and measured no faster on the AMD EPYC VM.)
    @inline(__always)
    func forEachKernelTap(_ body: (Int, Int, Int, Int) -> Void) {
        var row = 0
        for c in 0..<inputChannels {
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    body(c, ky, kx, row)
                    row += 1
                }
            }
        }
    }

    /// Output indices `q` in `0..<outputCount` whose input index `q·stride − padding + offset`
    /// lies inside `0..<extent`; an empty range sits at 0.
    private func validOutputRange(kernelOffset: Int, extent: Int, outputCount: Int) -> Range<Int> {
        let shift = kernelOffset - padding
        // q·stride + shift ≥ 0  ⇔  q ≥ ceil(−shift / stride)
        let low = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        // q·stride + shift ≤ extent − 1  ⇔  q ≤ floor((extent − 1 − shift) / stride)
        let last = extent - 1 - shift
        let high = last < 0 ? 0 : min(outputCount, last / stride + 1)
        return low < high ? low..<high : 0..<0
    }

    /// Writes one image plane's `outputPositions` column entries for kernel tap (ky, kx).
    /// Plain element loops rather than `memcpy`/`memset` calls: rows are 4 to 32 elements
    /// long at the workloads' sizes, where a library call costs more than the copy.
    @inline(__always)
    private func unfoldPlane(
        _ plane: UnsafePointer<Float>, ky: Int, kx: Int, rows: Range<Int>, cols: Range<Int>,
        into output: UnsafeMutablePointer<Float>
    ) {
        let outW = outputWidth
        let shiftY = ky - padding, shiftX = kx - padding
        if preservesSize {
            unfoldShiftedPlane(plane, offset: shiftY * width + shiftX, shiftX: shiftX, into: output)
            return
        }
        for oy in 0..<outputHeight {
            let out = output + oy * outW
            guard rows.contains(oy) else {
                for ox in 0..<outW { out[ox] = 0 }
                continue
            }
            let inputRow = plane + (oy * stride + shiftY) * width
            for ox in 0..<cols.lowerBound { out[ox] = 0 }
            if stride == 1 {
                for ox in cols { out[ox] = inputRow[ox + shiftX] }
            } else {
                for ox in cols { out[ox] = inputRow[ox * stride + shiftX] }
            }
            for ox in cols.upperBound..<outW { out[ox] = 0 }
        }
    }

    /// Whether the output grid is the input grid (stride 1, output as large as the input),
    /// so that each kernel tap reads the input plane shifted by a fixed linear offset.
    private var preservesSize: Bool { stride == 1 && outputHeight == height && outputWidth == width }

    /// `unfoldPlane` when the output grid is the input grid: output position `q` reads
    /// input position `q + offset` (`offset = shiftY·width + shiftX`), so the tap is one
    /// contiguous copy with zeros where `q + offset` leaves the plane, followed by zeroing
    /// the `|shiftX|` columns on each row whose linear neighbour lies on the adjacent row.
    @inline(__always)
    private func unfoldShiftedPlane(
        _ plane: UnsafePointer<Float>, offset: Int, shiftX: Int, into output: UnsafeMutablePointer<Float>
    ) {
        let positions = height * width
        let low = min(positions, max(0, -offset)), high = max(low, min(positions, positions - offset))
        for q in 0..<low { output[q] = 0 }
        let source = plane + offset
        for q in low..<high { output[q] = source[q] }
        for q in high..<positions { output[q] = 0 }
        guard shiftX != 0 else { return }
        let masked = shiftX < 0 ? 0..<min(width, -shiftX) : max(0, width - shiftX)..<width
        for oy in 0..<height {
            let row = output + oy * width
            for ox in masked { row[ox] = 0 }
        }
    }

    /// Adds one image plane's column entries for kernel tap (ky, kx) back onto the plane.
    @inline(__always)
    private func foldPlane(
        _ columns: UnsafePointer<Float>, ky: Int, kx: Int, rows: Range<Int>, cols: Range<Int>,
        into plane: UnsafeMutablePointer<Float>
    ) {
        let outW = outputWidth
        let shiftY = ky - padding, shiftX = kx - padding
        for oy in rows {
            let source = columns + oy * outW
            let inputRow = plane + (oy * stride + shiftY) * width
            if stride == 1 {
                for ox in cols { inputRow[ox + shiftX] += source[ox] }
            } else {
                for ox in cols { inputRow[ox * stride + shiftX] += source[ox] }
            }
        }
    }
}

extension Conv2dGeometry: CustomStringConvertible {
    public var description: String {
        let layouts = isPlanar ? "" : ", \(inputLayout) → \(outputLayout)"
        return "conv \(batch)×\(inputChannels)×\(height)×\(width) → \(outputChannels) ch, kernel \(kernelHeight)×\(kernelWidth), stride \(stride), padding \(padding)\(layouts)"
    }
}

// MARK: - Forward and backward drivers

extension Tensor {
    /// 2-D convolution (cross-correlation, as in PyTorch) of an NCHW `input` with a kernel
    /// of shape `geometry.weightShape`, plus a per-output-channel `bias`.
    ///
    /// Images are processed in chunks whose column matrix holds at most
    /// `maximumColumnElements` elements: each chunk is unfolded by `im2col`, multiplied
    /// once by the kernel matrix `[outputChannels, columnRows]` (one GEMM for the whole
    /// chunk) and scattered back to NCHW with the bias added. A 1×1 stride-1 unpadded
    /// convolution skips the unfolding and multiplies each image directly.
    ///
    /// A `workspace` keeps the buffers between calls; when the whole batch fits one chunk
    /// it also keeps the unfolding for `conv2dBackward(…, reusingForwardColumns: true)`.
    ///
    /// With `.oneDNN` (the default), oneDNN's primitive runs instead (no column matrix;
    /// `maximumColumnElements` is unused) and the workspace keeps its primitives and the
    /// input in oneDNN's layout for the backward pass. Only this path takes a geometry with
    /// channel-blocked tensors; the input and output then have its tensor shapes.
    public static func conv2dForward(
        input: Tensor, weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        geometry g: Conv2dGeometry,
        maximumColumnElements: Int = Conv2dGeometry.defaultMaximumColumnElements,
        workspace: ConvolutionWorkspace? = nil, algorithm: ConvolutionAlgorithm = .oneDNN
    ) -> Tensor {
        checkConvolutionOperands(input: input, weight: weight, bias: bias, geometry: g, caller: "conv2dForward")
        checkAlgorithm(algorithm, takes: g, caller: "conv2dForward")
        guard g.batch > 0, let w = weight.baseAddress else { return Tensor(shape: g.outputTensorShape) }
        let p = g.outputPositions, outC = g.outputChannels
        // Every path below writes every output element.
        return Tensor(shape: g.outputTensorShape) { y in
            input.withUnsafeBufferPointer { x in
                guard let xBase = x.baseAddress, let yBase = y.baseAddress else { return }
                if algorithm == .oneDNN {
                    (workspace ?? ConvolutionWorkspace()).oneDNNConvolution(for: g).forward(
                        input: xBase, weight: w, bias: bias?.baseAddress, output: yBase)
                    return
                }
                if g.isPointwise {
                    for i in 0..<g.batch {
                        BLAS.gemm(
                            .none, .none, m: outC, n: p, k: g.inputChannels,
                            a: w, b: xBase + i * g.inputChannels * p, c: yBase + i * outC * p)
                    }
                    if let bias { addBias(bias, to: yBase, images: g.batch, channels: outC, positions: p) }
                    return
                }
                let chunk = g.imagesPerChunk(maximumColumnElements: maximumColumnElements)
                let space = workspace ?? ConvolutionWorkspace()
                space.reserve(columns: g.columnRows * chunk * p, product: outC * chunk * p)
                let (col, prod) = (space.columns, space.product)
                let imageSize = g.inputChannels * g.height * g.width
                for start in stride(from: 0, to: g.batch, by: chunk) {
                    let n = min(chunk, g.batch - start)
                    g.im2col(UnsafeBufferPointer(rebasing: x[(start * imageSize)...]), images: n, into: col)
                    BLAS.gemm(
                        .none, .none, m: outC, n: n * p, k: g.columnRows,
                        a: w, b: col.baseAddress!, c: prod.baseAddress!)
                    scatterChannelMajor(
                        prod.baseAddress!, images: n, channels: outC, positions: p,
                        bias: bias, into: yBase + start * outC * p)
                }
                space.unfolded = chunk >= g.batch ? g : nil
            }
        }
    }

    /// Gradients of `conv2dForward`: returns the input gradient and adds the kernel
    /// gradient to `weightGradient` (and the bias gradient to `biasGradient` when given).
    ///
    /// Per chunk of images: the input is unfolded again (`im2col`, cheaper than keeping
    /// the column matrix of the whole batch), the output gradient is gathered into
    /// `dY [outputChannels, images · outputPositions]`, then `dW += dY · colᵀ`,
    /// `dcol = Wᵀ · dY` (reusing the column buffer) and `col2im` folds `dcol` onto the
    /// input gradient.
    ///
    /// With `reusingForwardColumns`, the caller states that `input` is the input of the last
    /// `conv2dForward` on `workspace`; if that call unfolded the whole batch at once, the
    /// unfolding is used instead of being computed again. The workspace's columns then
    /// hold the column gradient, so a second backward unfolds afresh.
    ///
    /// With `.oneDNN` (the default), both gradients come from oneDNN's primitives
    /// (`maximumColumnElements` is unused) and `reusingForwardColumns` reuses the forward
    /// pass's input in oneDNN's layout. The input gradient is in the geometry's input layout.
    public static func conv2dBackward(
        outputGradient: Tensor, input: Tensor, weight: UnsafeBufferPointer<Float>,
        geometry g: Conv2dGeometry,
        weightGradient: UnsafeMutableBufferPointer<Float>,
        biasGradient: UnsafeMutableBufferPointer<Float>? = nil,
        maximumColumnElements: Int = Conv2dGeometry.defaultMaximumColumnElements,
        workspace: ConvolutionWorkspace? = nil, reusingForwardColumns: Bool = false,
        algorithm: ConvolutionAlgorithm = .oneDNN
    ) -> Tensor {
        checkConvolutionOperands(input: input, weight: weight, bias: nil, geometry: g, caller: "conv2dBackward")
        checkConvolutionGradients(
            outputGradient: outputGradient, weightGradient: weightGradient, biasGradient: biasGradient, geometry: g,
            caller: "conv2dBackward")
        checkAlgorithm(algorithm, takes: g, caller: "conv2dBackward")
        guard g.batch > 0, let w = weight.baseAddress else { return Tensor(shape: g.inputTensorShape) }
        if algorithm == .oneDNN {
            // oneDNN overwrites every element of the input gradient: no zeroing first.
            return Tensor(shape: g.inputTensorShape) { dx in
                accumulateOneDNNGradients(
                    outputGradient: outputGradient, input: input, geometry: g, weightGradient: weightGradient,
                    biasGradient: biasGradient, inputGradient: (w, dx.baseAddress!), workspace: workspace ?? ConvolutionWorkspace(),
                    reusingForwardInput: reusingForwardColumns)
            }
        }
        var inputGradient = Tensor(shape: g.inputShape)
        inputGradient.withUnsafeMutableBufferPointer { dx in
            accumulateConvolutionGradients(
                outputGradient: outputGradient, input: input, geometry: g, weightGradient: weightGradient,
                biasGradient: biasGradient, inputGradient: dx.baseAddress.map { (weight: w, gradient: $0) },
                maximumColumnElements: maximumColumnElements, workspace: workspace ?? ConvolutionWorkspace(),
                reusingForwardColumns: reusingForwardColumns, algorithm: algorithm)
        }
        return inputGradient
    }

    /// The kernel gradient of `conv2dForward` alone, added to `weightGradient` (and the
    /// bias gradient to `biasGradient` when given): for a convolution whose input is data,
    /// where the input gradient (a product as large as the forward pass) would be thrown
    /// away. The sums are those of `conv2dBackward` and `conv2dBiasGradient`, bit for bit;
    /// `reusingForwardColumns` and `algorithm` mean what they mean there.
    public static func conv2dKernelGradient(
        outputGradient: Tensor, input: Tensor, geometry g: Conv2dGeometry,
        accumulatingInto weightGradient: UnsafeMutableBufferPointer<Float>,
        biasGradient: UnsafeMutableBufferPointer<Float>? = nil,
        maximumColumnElements: Int = Conv2dGeometry.defaultMaximumColumnElements,
        workspace: ConvolutionWorkspace? = nil, reusingForwardColumns: Bool = false,
        algorithm: ConvolutionAlgorithm = .oneDNN
    ) {
        precondition(
            input.shape == g.inputTensorShape,
            "Tensor.conv2dKernelGradient: input shape \(input.shape) does not match expected \(g.inputTensorShape)")
        checkConvolutionGradients(
            outputGradient: outputGradient, weightGradient: weightGradient, biasGradient: biasGradient, geometry: g,
            caller: "conv2dKernelGradient")
        checkAlgorithm(algorithm, takes: g, caller: "conv2dKernelGradient")
        guard g.batch > 0 else { return }
        accumulateConvolutionGradients(
            outputGradient: outputGradient, input: input, geometry: g, weightGradient: weightGradient,
            biasGradient: biasGradient, inputGradient: nil, maximumColumnElements: maximumColumnElements,
            workspace: workspace ?? ConvolutionWorkspace(), reusingForwardColumns: reusingForwardColumns,
            algorithm: algorithm)
    }

    /// Stops naming `caller` unless the output gradient has the geometry's output shape, the
    /// kernel gradient the kernel's size and the bias gradient, when given, one element per
    /// output channel.
    private static func checkConvolutionGradients(
        outputGradient: Tensor, weightGradient: UnsafeMutableBufferPointer<Float>,
        biasGradient: UnsafeMutableBufferPointer<Float>?, geometry g: Conv2dGeometry, caller: String
    ) {
        precondition(
            outputGradient.shape == g.outputTensorShape,
            "Tensor.\(caller): output gradient shape \(outputGradient.shape) does not match expected \(g.outputTensorShape)")
        precondition(
            weightGradient.count == g.weightCount,
            "Tensor.\(caller): weight gradient holds \(weightGradient.count) elements, kernel \(g.weightShape) needs \(g.weightCount)")
        if let biasGradient {
            precondition(
                biasGradient.count == g.outputChannels,
                "Tensor.\(caller): bias gradient holds \(biasGradient.count) elements, expected \(g.outputChannels) (one per output channel)")
        }
    }

    /// Adds the kernel gradient to `weightGradient` and the bias gradient, when wanted, to
    /// `biasGradient`, and, when `inputGradient` names the kernel and a zeroed destination,
    /// writes the input gradient there (see `conv2dBackward`). The batch is not empty. The
    /// row kernels form the bias gradient as they read the output gradient; elsewhere it is
    /// `conv2dBiasGradient`.
    private static func accumulateConvolutionGradients(
        outputGradient: Tensor, input: Tensor, geometry g: Conv2dGeometry,
        weightGradient: UnsafeMutableBufferPointer<Float>, biasGradient: UnsafeMutableBufferPointer<Float>?,
        inputGradient: (weight: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>)?,
        maximumColumnElements: Int, workspace space: ConvolutionWorkspace, reusingForwardColumns: Bool,
        algorithm: ConvolutionAlgorithm
    ) {
        if algorithm == .oneDNN {
            accumulateOneDNNGradients(
                outputGradient: outputGradient, input: input, geometry: g, weightGradient: weightGradient,
                biasGradient: biasGradient, inputGradient: inputGradient, workspace: space,
                reusingForwardInput: reusingForwardColumns)
            return
        }
        if let biasGradient { conv2dBiasGradient(outputGradient: outputGradient, accumulatingInto: biasGradient) }
        guard let dW = weightGradient.baseAddress else { return }
        let p = g.outputPositions, outC = g.outputChannels, inC = g.inputChannels
        input.withUnsafeBufferPointer { x in
            outputGradient.withUnsafeBufferPointer { dy in
                guard let xBase = x.baseAddress, let dyBase = dy.baseAddress else { return }
                if g.isPointwise {
                    for i in 0..<g.batch {
                        let xi = xBase + i * inC * p, dyi = dyBase + i * outC * p
                        BLAS.gemm(.none, .transposed, m: outC, n: inC, k: p, a: dyi, b: xi, beta: 1, c: dW)
                        if let (w, dx) = inputGradient {
                            BLAS.gemm(.transposed, .none, m: inC, n: p, k: outC, a: w, b: dyi, c: dx + i * inC * p)
                        }
                    }
                    return
                }
                let chunk = g.imagesPerChunk(maximumColumnElements: maximumColumnElements)
                let imageSize = inC * g.height * g.width
                let unfolded = reusingForwardColumns && chunk >= g.batch && space.unfolded == g
                space.reserve(columns: g.columnRows * chunk * p, product: outC * chunk * p)
                space.unfolded = nil
                let col = space.columns
                let colBase = col.baseAddress!, dyMatrixBase = space.product.baseAddress!
                for start in stride(from: 0, to: g.batch, by: chunk) {
                    let n = min(chunk, g.batch - start)
                    if !unfolded {
                        g.im2col(UnsafeBufferPointer(rebasing: x[(start * imageSize)...]), images: n, into: col)
                    }
                    gatherChannelMajor(
                        dyBase + start * outC * p, images: n, channels: outC, positions: p, into: dyMatrixBase)
                    BLAS.gemm(
                        .none, .transposed, m: outC, n: g.columnRows, k: n * p,
                        a: dyMatrixBase, b: colBase, beta: 1, c: dW)
                    guard let (w, dx) = inputGradient else { continue }
                    BLAS.gemm(
                        .transposed, .none, m: g.columnRows, n: n * p, k: outC,
                        a: w, b: dyMatrixBase, c: colBase)
                    g.col2im(
                        UnsafeBufferPointer(col), images: n,
                        accumulatingInto: UnsafeMutableBufferPointer(start: dx + start * imageSize, count: n * imageSize))
                }
            }
        }
    }

    /// `accumulateConvolutionGradients` on oneDNN: the input gradient first (staging the
    /// output gradient once for both products), then the kernel and bias gradients.
    private static func accumulateOneDNNGradients(
        outputGradient: Tensor, input: Tensor, geometry g: Conv2dGeometry,
        weightGradient: UnsafeMutableBufferPointer<Float>, biasGradient: UnsafeMutableBufferPointer<Float>?,
        inputGradient: (weight: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>)?,
        workspace space: ConvolutionWorkspace, reusingForwardInput: Bool
    ) {
        guard let dW = weightGradient.baseAddress else { return }
        let convolution = space.oneDNNConvolution(for: g)
        input.withUnsafeBufferPointer { x in
            outputGradient.withUnsafeBufferPointer { dy in
                guard let xBase = x.baseAddress, let dyBase = dy.baseAddress else { return }
                if let (w, dx) = inputGradient {
                    convolution.inputGradient(outputGradient: dyBase, weight: w, into: dx)
                }
                convolution.accumulateKernelGradient(
                    outputGradient: dyBase, input: xBase, outputGradientStaged: inputGradient != nil,
                    reusingForwardInput: reusingForwardInput, into: dW, biasGradient: biasGradient?.baseAddress)
            }
        }
    }

    /// Adds the bias gradient of a convolution (the sum of `outputGradient` over batch and
    /// positions, per channel; NCHW) to `biasGradient`. Sums are accumulated in Double.
    public static func conv2dBiasGradient(outputGradient: Tensor, accumulatingInto biasGradient: UnsafeMutableBufferPointer<Float>) {
        conv2dBiasGradient(
            outputGradient: outputGradient, accumulatingInto: biasGradient,
            parts: ParallelRanges.parts(forElements: outputGradient.count, minimumElements: 1 << 18))
    }

    /// `conv2dBiasGradient` with the channels split into `parts` (a test states the split
    /// instead of changing the process's thread count under other tests).
    static func conv2dBiasGradient(
        outputGradient: Tensor, accumulatingInto biasGradient: UnsafeMutableBufferPointer<Float>, parts: Int
    ) {
        precondition(
            outputGradient.rank == 4,
            "Tensor.conv2dBiasGradient: output gradient must be rank 4 (NCHW), got shape \(outputGradient.shape)")
        let (batch, channels) = (outputGradient.shape[0], outputGradient.shape[1])
        let positions = outputGradient.shape[2] * outputGradient.shape[3]
        precondition(
            biasGradient.count == channels,
            "Tensor.conv2dBiasGradient: bias gradient holds \(biasGradient.count) elements, output has \(channels) channels")
        outputGradient.withUnsafeBufferPointer { dy in
            guard let base = dy.baseAddress, let db = biasGradient.baseAddress else { return }
            // Threads take whole channels, each summed in the same order at any thread count.
            let (source, totals) = (SharedBuffer(base), SharedBuffer(db))
            ParallelRanges.forEach(channels, parts: parts) { range in
                addChannelTotals(images: batch, channels: range, into: totals.base) { i, c in
                    planeSum(source.base + (i * channels + c) * positions, count: positions)
                }
            }
        }
    }

    /// Adds to `totals[c]`, for each channel `c` in `channels`, the sum over images `i <
    /// images` of `planeSum(i, c)`, accumulated in Double in image order: the bias
    /// gradient's order wherever its plane sums are formed.
    @inline(__always)
    static func addChannelTotals(
        images: Int, channels: Range<Int>, into totals: UnsafeMutablePointer<Float>, _ planeSum: (Int, Int) -> Float
    ) {
        for c in channels {
            var total = 0.0
            for i in 0..<images { total += Double(planeSum(i, c)) }
            totals[c] += Float(total)
        }
    }

    /// The sum of `count` floats: 32 running sums (four 8-lane vectors) over the elements in
    /// order, then the tail, combined in a fixed order. A single running sum would wait on
    /// each addition's latency: the bias gradient took 10–50 % of a convolution's
    /// backward pass.
    @inline(__always)
    static func planeSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        typealias Lanes = SIMD8<Float>
        let raw = UnsafeRawPointer(x)
        func load(_ i: Int) -> Lanes { raw.loadUnaligned(fromByteOffset: 4 * i, as: Lanes.self) }
        var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
        var i = 0
        while i + 32 <= count {
            s0 += load(i); s1 += load(i + 8); s2 += load(i + 16); s3 += load(i + 24)
            i += 32
        }
        while i + 8 <= count {
            s0 += load(i)
            i += 8
        }
        let eight = (s0 + s1) + (s2 + s3)
        let four = eight.lowHalf + eight.highHalf, two = four.lowHalf + four.highHalf
        var total = two[0] + two[1]
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    private static func checkConvolutionOperands(
        input: Tensor, weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        geometry g: Conv2dGeometry, caller: String
    ) {
        precondition(
            input.shape == g.inputTensorShape,
            "Tensor.\(caller): input shape \(input.shape) does not match expected \(g.inputTensorShape)")
        precondition(
            weight.count == g.weightCount,
            "Tensor.\(caller): weight holds \(weight.count) elements, kernel \(g.weightShape) needs \(g.weightCount)")
        if let bias {
            precondition(
                bias.count == g.outputChannels,
                "Tensor.\(caller): bias holds \(bias.count) elements, expected \(g.outputChannels)")
        }
    }

    /// Stops naming `caller` when `algorithm` is the unfolding and `g` has a blocked tensor.
    private static func checkAlgorithm(_ algorithm: ConvolutionAlgorithm, takes g: Conv2dGeometry, caller: String) {
        precondition(
            algorithm == .oneDNN || g.isPlanar,
            "Tensor.\(caller): the unfolding path takes planar (NCHW) tensors only, got \(g.inputLayout) → \(g.outputLayout)")
    }

    /// `[channels, images · positions]` → NCHW `[images, channels, positions]`, adding `bias[c]`.
    private static func scatterChannelMajor(
        _ source: UnsafePointer<Float>, images: Int, channels: Int, positions: Int,
        bias: UnsafeBufferPointer<Float>?, into destination: UnsafeMutablePointer<Float>
    ) {
        let rowLength = images * positions
        for c in 0..<channels {
            let b = bias?[c] ?? 0
            for i in 0..<images {
                let from = source + c * rowLength + i * positions
                let to = destination + (i * channels + c) * positions
                for j in 0..<positions { to[j] = from[j] + b }
            }
        }
    }

    /// NCHW `[images, channels, positions]` → `[channels, images · positions]`.
    private static func gatherChannelMajor(
        _ source: UnsafePointer<Float>, images: Int, channels: Int, positions: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let rowLength = images * positions
        for c in 0..<channels {
            for i in 0..<images {
                (destination + c * rowLength + i * positions)
                    .update(from: source + (i * channels + c) * positions, count: positions)
            }
        }
    }

    /// Adds `bias[c]` to every position of channel `c` of an NCHW buffer.
    private static func addBias(
        _ bias: UnsafeBufferPointer<Float>, to buffer: UnsafeMutablePointer<Float>,
        images: Int, channels: Int, positions: Int
    ) {
        for i in 0..<images {
            for c in 0..<channels {
                let b = bias[c]
                let row = buffer + (i * channels + c) * positions
                for j in 0..<positions { row[j] += b }
            }
        }
    }
}
