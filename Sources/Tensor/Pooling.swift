/// Shape bookkeeping for 2-D max and average pooling over NCHW tensors.
///
/// A square `kernelSize × kernelSize` window moves by `stride` along both spatial axes
/// over the input padded by `padding` on every side. As in PyTorch, padding may be at most
/// half the kernel, so every window overlaps at least one real input element.
public struct Pool2dGeometry: Equatable, Sendable {
    public let batch: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    /// A validated geometry. `caller` prefixes the error message (for example
    /// `"MaxPool2d 'pool1'"`), so a bad configuration names the layer that made it.
    public init(
        batch: Int, channels: Int, height: Int, width: Int,
        kernelSize: Int, stride: Int, padding: Int = 0,
        caller: String = "Pool2dGeometry"
    ) {
        precondition(batch >= 0, "\(caller): batch must be non-negative, got \(batch)")
        precondition(channels >= 1, "\(caller): channels must be positive, got \(channels)")
        precondition(height >= 1 && width >= 1, "\(caller): image size must be positive, got \(height)×\(width)")
        precondition(kernelSize >= 1, "\(caller): kernel size must be positive, got \(kernelSize)")
        precondition(stride >= 1, "\(caller): stride must be at least 1, got \(stride)")
        precondition(
            padding >= 0 && 2 * padding <= kernelSize,
            "\(caller): padding must be between 0 and half the kernel size \(kernelSize), got \(padding)")
        precondition(
            kernelSize <= height + 2 * padding && kernelSize <= width + 2 * padding,
            "\(caller): kernel \(kernelSize)×\(kernelSize) does not fit the input \(height)×\(width) with padding \(padding)")
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    /// A validated geometry for an input of shape `inputShape` (rank 4, NCHW).
    public init(inputShape: [Int], kernelSize: Int, stride: Int, padding: Int = 0, caller: String = "Pool2dGeometry") {
        precondition(
            inputShape.count == 4,
            "\(caller): input must be rank 4 (batch, channels, height, width), got shape \(inputShape)")
        self.init(
            batch: inputShape[0], channels: inputShape[1], height: inputShape[2], width: inputShape[3],
            kernelSize: kernelSize, stride: stride, padding: padding, caller: caller)
    }

    /// Output rows: `(height + 2·padding − kernelSize) / stride + 1`.
    public var outputHeight: Int { (height + 2 * padding - kernelSize) / stride + 1 }
    /// Output columns: `(width + 2·padding − kernelSize) / stride + 1`.
    public var outputWidth: Int { (width + 2 * padding - kernelSize) / stride + 1 }
    /// (batch, channels, height, width).
    public var inputShape: [Int] { [batch, channels, height, width] }
    /// (batch, channels, outputHeight, outputWidth).
    public var outputShape: [Int] { [batch, channels, outputHeight, outputWidth] }

    /// Number of (image, channel) planes.
    var planes: Int { batch * channels }

    /// The input rows (or columns) covered by output index `q`, clipped to `0..<extent`.
    @inline(__always)
    func window(_ q: Int, extent: Int) -> Range<Int> {
        let start = q * stride - padding
        return max(0, start)..<min(extent, start + kernelSize)
    }
}

extension Tensor {
    // MARK: Max pooling

    /// Max pooling: each output is the largest input in its window (padding never wins).
    ///
    /// Also returns, per output element, the flat index `iy·width + ix` of the selected
    /// element inside its (image, channel) plane, which `maxPool2dBackward` routes the
    /// gradient to. Ties go to the first element in row-major order; a NaN in the window
    /// is selected (and propagates), as in PyTorch.
    public static func maxPool2dForward(_ input: Tensor, geometry g: Pool2dGeometry) -> (output: Tensor, argmax: [Int32]) {
        precondition(
            input.shape == g.inputShape,
            "Tensor.maxPool2dForward: input shape \(input.shape) does not match expected \(g.inputShape)")
        precondition(g.height * g.width <= Int(Int32.max), "Tensor.maxPool2dForward: plane of \(g.height)×\(g.width) too large for Int32 indices")
        var output = Tensor(shape: g.outputShape)
        let outH = g.outputHeight, outW = g.outputWidth, plane = g.height * g.width
        var argmax = [Int32](repeating: 0, count: output.count)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                argmax.withUnsafeMutableBufferPointer { index in
                    for p in 0..<g.planes {
                        let xp = p * plane, yp = p * outH * outW
                        for oy in 0..<outH {
                            let rows = g.window(oy, extent: g.height)
                            for ox in 0..<outW {
                                let cols = g.window(ox, extent: g.width)
                                var bestIndex = rows.lowerBound * g.width + cols.lowerBound
                                var best = x[xp + bestIndex]
                                for iy in rows {
                                    for ix in cols {
                                        let v = x[xp + iy * g.width + ix]
                                        if v > best || (v.isNaN && !best.isNaN) {
                                            best = v
                                            bestIndex = iy * g.width + ix
                                        }
                                    }
                                }
                                y[yp + oy * outW + ox] = best
                                index[yp + oy * outW + ox] = Int32(bestIndex)
                            }
                        }
                    }
                }
            }
        }
        return (output, argmax)
    }

    /// Gradient of max pooling: each output gradient is added to the input element its
    /// window selected (`argmax` from `maxPool2dForward`); all other inputs get zero.
    public static func maxPool2dBackward(_ outputGradient: Tensor, argmax: [Int32], geometry g: Pool2dGeometry) -> Tensor {
        precondition(
            outputGradient.shape == g.outputShape,
            "Tensor.maxPool2dBackward: output gradient shape \(outputGradient.shape) does not match expected \(g.outputShape)")
        precondition(
            argmax.count == outputGradient.count,
            "Tensor.maxPool2dBackward: \(argmax.count) argmax indices for \(outputGradient.count) outputs")
        var inputGradient = Tensor(shape: g.inputShape)
        let plane = g.height * g.width, outPlane = g.outputHeight * g.outputWidth
        outputGradient.withUnsafeBufferPointer { dy in
            inputGradient.withUnsafeMutableBufferPointer { dx in
                argmax.withUnsafeBufferPointer { index in
                    for p in 0..<g.planes {
                        for j in (p * outPlane)..<((p + 1) * outPlane) {
                            let i = Int(index[j])
                            precondition(i >= 0 && i < plane, "Tensor.maxPool2dBackward: argmax \(i) outside a plane of \(plane)")
                            dx[p * plane + i] += dy[j]
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    // MARK: Average pooling

    /// Average pooling with `count_include_pad = true` (PyTorch's default): every output is
    /// the sum of the real inputs in its window divided by `kernelSize²`, so padded cells
    /// count as zeros. The divisor is the same for every window, which keeps the layer a
    /// fixed linear map.
    public static func avgPool2dForward(_ input: Tensor, geometry g: Pool2dGeometry) -> Tensor {
        precondition(
            input.shape == g.inputShape,
            "Tensor.avgPool2dForward: input shape \(input.shape) does not match expected \(g.inputShape)")
        var output = Tensor(shape: g.outputShape)
        let outH = g.outputHeight, outW = g.outputWidth, plane = g.height * g.width
        let scale = 1 / Float(g.kernelSize * g.kernelSize)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                for p in 0..<g.planes {
                    let xp = p * plane, yp = p * outH * outW
                    for oy in 0..<outH {
                        let rows = g.window(oy, extent: g.height)
                        for ox in 0..<outW {
                            let cols = g.window(ox, extent: g.width)
                            var sum: Float = 0
                            for iy in rows {
                                for ix in cols { sum += x[xp + iy * g.width + ix] }
                            }
                            y[yp + oy * outW + ox] = sum * scale
                        }
                    }
                }
            }
        }
        return output
    }

    /// Gradient of `avgPool2dForward`: each output gradient, divided by `kernelSize²`, is
    /// added to every real input of its window.
    public static func avgPool2dBackward(_ outputGradient: Tensor, geometry g: Pool2dGeometry) -> Tensor {
        precondition(
            outputGradient.shape == g.outputShape,
            "Tensor.avgPool2dBackward: output gradient shape \(outputGradient.shape) does not match expected \(g.outputShape)")
        var inputGradient = Tensor(shape: g.inputShape)
        let outH = g.outputHeight, outW = g.outputWidth, plane = g.height * g.width
        let scale = 1 / Float(g.kernelSize * g.kernelSize)
        outputGradient.withUnsafeBufferPointer { dy in
            inputGradient.withUnsafeMutableBufferPointer { dx in
                for p in 0..<g.planes {
                    let xp = p * plane, yp = p * outH * outW
                    for oy in 0..<outH {
                        let rows = g.window(oy, extent: g.height)
                        for ox in 0..<outW {
                            let cols = g.window(ox, extent: g.width)
                            let share = dy[yp + oy * outW + ox] * scale
                            for iy in rows {
                                for ix in cols { dx[xp + iy * g.width + ix] += share }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    // MARK: Global average pooling

    /// Global average pooling: the mean of each (image, channel) plane, mapping images
    /// `[N, C, H, W]` in `layout` (planar NCHW by default) to `[N, C]`. Each plane's sum is
    /// accumulated in Double over its positions in order, whatever the layout, so both
    /// layouts give the same bits.
    public static func globalAvgPoolForward(_ input: Tensor, layout: ImageLayout = .planar) -> Tensor {
        let images = globalAvgPoolImages(input.shape, layout: layout, caller: "globalAvgPoolForward")
        let (n, c, plane) = (images[0], images[1], images[2] * images[3])
        let block = layout.channelBlock
        let scale = 1 / Double(plane)
        var output = Tensor(shape: [n, c])
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                var sums = [Double](repeating: 0, count: block)
                // Channel group g (of `block` channels) of image i starts at g·plane·block.
                for group in 0..<(n * c / block) {
                    for j in 0..<block { sums[j] = 0 }
                    let base = group * plane * block
                    for p in 0..<plane {
                        for j in 0..<block { sums[j] += Double(x[base + p * block + j]) }
                    }
                    for j in 0..<block { y[group * block + j] = Float(sums[j] * scale) }
                }
            }
        }
        return output
    }

    /// Gradient of `globalAvgPoolForward` for an input tensor of shape `inputShape` in
    /// `layout`: each `[N, C]` output gradient, divided by `H·W`, is spread over its plane.
    public static func globalAvgPoolBackward(
        _ outputGradient: Tensor, inputShape: [Int], layout: ImageLayout = .planar
    ) -> Tensor {
        let images = globalAvgPoolImages(inputShape, layout: layout, caller: "globalAvgPoolBackward")
        let (n, c, plane) = (images[0], images[1], images[2] * images[3])
        precondition(
            outputGradient.shape == [n, c],
            "Tensor.globalAvgPoolBackward: output gradient shape \(outputGradient.shape) does not match expected \([n, c])")
        let block = layout.channelBlock
        let scale = 1 / Float(plane)
        return Tensor(shape: inputShape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                for group in 0..<(n * c / block) {
                    let base = group * plane * block
                    for p in 0..<plane {
                        for j in 0..<block { dx[base + p * block + j] = dy[group * block + j] * scale }
                    }
                }
            }
        }
    }

    /// The NCHW shape of a global pooling's input tensor `shape` in `layout`; stops naming
    /// `caller` unless the shape is the layout's with a non-empty plane.
    private static func globalAvgPoolImages(_ shape: [Int], layout: ImageLayout, caller: String) -> [Int] {
        guard let images = layout.imagesShape(ofTensorShape: shape), images[2] > 0, images[3] > 0 else {
            preconditionFailure(
                "Tensor.\(caller): input must be rank \(layout.rank) \(layout.axes) with a non-empty plane, got shape \(shape)")
        }
        return images
    }
}
