/// Scratch buffers of one convolution layer, kept from call to call.
///
/// A column matrix at the workloads' sizes is 4 to 40 MB. Allocating it afresh on every
/// call costs page faults comparable to the unfolding itself, so a layer keeps one
/// workspace and the kernels grow its buffers only when a larger batch arrives. When the
/// forward pass unfolded the whole batch in one chunk (or, for the direct kernels, padded
/// it), the backward pass of the same input reuses that instead of computing it again.
///
/// A workspace belongs to one layer and is used by one call at a time.
public final class ConvolutionWorkspace {
    /// The column matrix (or its gradient during the backward pass).
    private(set) var columns = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// The forward product `[outputChannels, images · positions]`, or the gathered output
    /// gradient during the backward pass.
    private(set) var product = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// The geometry whose whole batch `columns` holds unfolded, if it does.
    var unfolded: Conv2dGeometry?

    /// The zero-padded input of the direct kernels.
    private(set) var paddedInput = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// The geometry whose whole batch `paddedInput` holds, if it does (and so whose zero
    /// borders it holds: the next padding of the same shape only copies the interior).
    var padded: Conv2dGeometry?
    /// The direct kernels' repacked kernel.
    private(set) var packedKernel = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// The direct kernels' output gradient, channels last, for the kernel gradient.
    private(set) var transposedGradient = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// The direct kernels' zero-padded output gradient, for the input gradient.
    private(set) var paddedGradient = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    /// The padding whose zero borders `paddedGradient` holds.
    var paddedGradientBorders: DirectConvolution.Padding?
    /// The direct kernels' tap and position offsets: the forward correlation's tables,
    /// then the input gradient's.
    private(set) var offsets = UnsafeMutableBufferPointer<Int>(start: nil, count: 0)
    /// The geometry whose forward-correlation tables `offsets` starts with, if any.
    var forwardTables: Conv2dGeometry?

    public init() {}

    deinit {
        columns.deallocate()
        product.deallocate()
        paddedInput.deallocate()
        packedKernel.deallocate()
        transposedGradient.deallocate()
        paddedGradient.deallocate()
        offsets.deallocate()
    }

    /// Makes room for `columnCount` and `productCount` elements; growing drops the contents
    /// (and the record of what was unfolded).
    func reserve(columns columnCount: Int, product productCount: Int) {
        if Self.grow(&columns, to: columnCount) { unfolded = nil }
        Self.grow(&product, to: productCount)
    }

    /// Makes room for the direct kernels' buffers; growing drops the contents (and the
    /// records of what was padded and which tables were built).
    func reserveDirect(
        paddedInput paddedCount: Int, packedKernel packedCount: Int, transposedGradient transposedCount: Int,
        paddedGradient paddedGradientCount: Int, offsets offsetCount: Int
    ) {
        if Self.grow(&paddedInput, to: paddedCount) { padded = nil }
        Self.grow(&packedKernel, to: packedCount)
        Self.grow(&transposedGradient, to: transposedCount)
        if Self.grow(&paddedGradient, to: paddedGradientCount) { paddedGradientBorders = nil }
        if Self.grow(&offsets, to: offsetCount) { forwardTables = nil }
    }

    /// Replaces `buffer` by a larger one when it holds fewer than `count` elements; returns
    /// whether it did.
    @discardableResult
    private static func grow<Element>(_ buffer: inout UnsafeMutableBufferPointer<Element>, to count: Int) -> Bool {
        guard buffer.count < count else { return false }
        buffer.deallocate()
        buffer = .allocate(capacity: count)
        return true
    }
}
