/// Scratch buffers of one convolution layer, kept from call to call.
///
/// A column matrix at the workloads' sizes is 4 to 40 MB. Allocating it afresh on every
/// call costs page faults comparable to the unfolding itself, so a layer keeps one
/// workspace and the kernels grow its buffers only when a larger batch arrives. When the
/// forward pass unfolded the whole batch in one chunk, the backward pass of the same input
/// reuses that unfolding instead of computing it again.
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

    public init() {}

    deinit {
        columns.deallocate()
        product.deallocate()
    }

    /// Makes room for `columnCount` and `productCount` elements; growing drops the contents
    /// (and the record of what was unfolded).
    func reserve(columns columnCount: Int, product productCount: Int) {
        if columns.count < columnCount {
            columns.deallocate()
            columns = .allocate(capacity: columnCount)
            unfolded = nil
        }
        if product.count < productCount {
            product.deallocate()
            product = .allocate(capacity: productCount)
        }
    }
}
