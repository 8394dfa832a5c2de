/// A dense, row-major Float32 array with a shape.
///
/// `Tensor` is a value type backed by one contiguous `[Float]`, so copies are cheap
/// (copy-on-write) and kernels see a single buffer they can hand to BLAS. Hot loops use
/// `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer` and never allocate per
/// element.
public struct Tensor: Equatable, Sendable {
    /// Extent of each axis, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.product`.
    /// Writes go through `withUnsafeMutableBufferPointer` or the subscript, so the
    /// count can never drift from the shape.
    public private(set) var scalars: [Float]

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        Tensor.checkShape(shape)
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of the given shape whose elements `body` writes, every one of them, through
    /// the buffer it is handed: for kernels that write their whole output, where filling it
    /// with zeros first would be a wasted pass over memory (4 MB at the cnn's stem).
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        Tensor.checkShape(shape)
        let count = shape.reduce(1, *)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            body(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initializedCount = count
        }
    }

    /// A tensor of the given shape whose elements are left unset, for an output that a
    /// kernel then writes in full through `withUnsafeMutableBufferPointer` (a BLAS product
    /// with β = 0, a row loop over every row). Reading an element before it is written gives
    /// whatever the memory held: use `init(shape:initializingWith:)` where the writes fit
    /// in one closure.
    public init(unsafeUninitializedShape shape: [Int]) {
        self.init(shape: shape, initializingWith: { _ in })
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        Tensor.checkShape(shape)
        let count = shape.reduce(1, *)
        precondition(
            scalars.count == count,
            "Tensor: shape \(shape) needs \(count) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of zeros with the same shape as `other`.
    public init(zerosLike other: Tensor) {
        self.init(shape: other.shape)
    }

    /// Number of elements.
    @inlinable public var count: Int { scalars.count }
    /// Number of axes.
    @inlinable public var rank: Int { shape.count }

    /// The same elements seen under another shape with the same element count.
    public func reshaped(to newShape: [Int]) -> Tensor {
        Tensor.checkShape(newShape)
        let newCount = newShape.reduce(1, *)
        precondition(
            newCount == count,
            "Tensor.reshaped: cannot view shape \(shape) (\(count) elements) as \(newShape) (\(newCount) elements)")
        var copy = self
        copy.shape = newShape
        return copy
    }

    /// Element at a multi-index (slow path, for tests and diagnostics).
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    /// Row-major offset of a multi-index.
    public func flatIndex(_ index: [Int]) -> Int {
        precondition(
            index.count == shape.count,
            "Tensor: index \(index) has \(index.count) axes, shape \(shape) has \(shape.count)")
        var offset = 0
        for (axis, i) in index.enumerated() {
            precondition(
                i >= 0 && i < shape[axis],
                "Tensor: index \(index) out of range for shape \(shape) on axis \(axis)")
            offset = offset * shape[axis] + i
        }
        return offset
    }

    /// Calls `body` with a read-only pointer to the elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the elements.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    private static func checkShape(_ shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: shape \(shape) has a negative extent")
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
