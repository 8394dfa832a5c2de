/// What one convolution layer keeps from call to call: oneDNN's primitives (generating
/// them costs milliseconds) with their buffers in oneDNN's layouts, and the column buffers
/// of the unfolding path.
///
/// A column matrix at the workloads' sizes is 4 to 40 MB. Allocating it afresh on every
/// call costs page faults comparable to the unfolding itself, so a layer keeps one
/// workspace and the kernels grow its buffers only when a larger batch arrives. When the
/// forward pass unfolded the whole batch in one chunk (or, on oneDNN, reordered it), the
/// backward pass of the same input reuses that instead of computing it again.
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

    /// oneDNN's primitives for the geometries this layer ran most recently (a layer sees
    /// two or three: the training batch, the evaluation batch, a last partial batch).
    private var oneDNNConvolutions: [OneDNNConvolution] = []
    /// How many geometries' primitives a workspace keeps.
    public static let oneDNNGeometriesKept = 4

    public init() {}

    /// The oneDNN primitives of geometry `g`, created on first use.
    func oneDNNConvolution(for g: Conv2dGeometry) -> OneDNNConvolution {
        if let index = oneDNNConvolutions.firstIndex(where: { $0.geometry == g }) {
            let found = oneDNNConvolutions.remove(at: index)
            oneDNNConvolutions.append(found)
            return found
        }
        if oneDNNConvolutions.count >= Self.oneDNNGeometriesKept { oneDNNConvolutions.removeFirst() }
        let created = OneDNNConvolution(g)
        oneDNNConvolutions.append(created)
        return created
    }

    deinit {
        columns.deallocate()
        product.deallocate()
    }

    /// Makes room for `columnCount` and `productCount` elements; growing drops the contents
    /// (and the record of what was unfolded).
    func reserve(columns columnCount: Int, product productCount: Int) {
        if Self.grow(&columns, to: columnCount) { unfolded = nil }
        Self.grow(&product, to: productCount)
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
