import Tensor

/// One named parameter tensor inside a `ParameterSet`: where it lives in the flat buffer,
/// its shape and its kind.
public struct ParameterView: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let kind: ParameterKind
    /// First element in the flat buffer.
    public let offset: Int
    /// Number of elements (`shape` product).
    public var count: Int { shape.reduce(1, *) }
    /// Index range in the flat buffer.
    public var range: Range<Int> { offset..<(offset + count) }

    /// The view as a matrix: rows = first axis, columns = product of the rest
    /// (a convolution kernel (out, in, kh, kw) becomes out × in·kh·kw). A vector is 1 × n.
    public var matrixShape: (rows: Int, columns: Int) {
        switch shape.count {
        case 0: (1, 1)
        case 1: (1, shape[0])
        default: (shape[0], shape.dropFirst().reduce(1, *))
        }
    }
}

/// The ordered list of parameter views of a model, built once when the model is made.
public struct ParameterLayout: Sendable, Equatable {
    public private(set) var views: [ParameterView] = []
    /// Total number of scalars.
    public private(set) var count = 0

    public init() {}

    /// Appends a parameter and returns its view. Names must be unique.
    @discardableResult
    public mutating func add(_ name: String, shape: [Int], kind: ParameterKind) -> ParameterView {
        precondition(!name.isEmpty, "ParameterLayout.add: empty parameter name")
        precondition(shape.allSatisfy { $0 > 0 }, "ParameterLayout.add: parameter '\(name)' has shape \(shape); every extent must be positive")
        precondition(view(named: name) == nil, "ParameterLayout.add: parameter '\(name)' is already registered")
        let view = ParameterView(name: name, shape: shape, kind: kind, offset: count)
        views.append(view)
        count += view.count
        return view
    }

    /// The view with this name, if any.
    public func view(named name: String) -> ParameterView? {
        views.first { $0.name == name }
    }
}

/// Every parameter of a model in one contiguous `[Float]`, with named views.
///
/// Elementwise optimizers loop once over `values`; matrix-aware ones take the 2-D
/// views. A gradient is a `ParameterSet` of the same layout (`zeros(like:)`).
public struct ParameterSet: Sendable, Equatable {
    public let layout: ParameterLayout
    /// All parameters, in layout order. Keep its count equal to `layout.count`: every
    /// view access checks it, so a resized buffer stops at the next access.
    public var values: [Float]

    /// A parameter set of the given layout filled with `value`.
    public init(layout: ParameterLayout, repeating value: Float = 0) {
        self.layout = layout
        self.values = [Float](repeating: value, count: layout.count)
    }

    /// A parameter set of the given layout holding `values`.
    public init(layout: ParameterLayout, values: [Float]) {
        precondition(values.count == layout.count, "ParameterSet: layout has \(layout.count) parameters, got \(values.count) values")
        self.layout = layout
        self.values = values
    }

    /// Zeros with the layout of `other` (a gradient buffer).
    public static func zeros(like other: ParameterSet) -> ParameterSet {
        ParameterSet(layout: other.layout)
    }

    /// The views of the layout.
    public var views: [ParameterView] { layout.views }

    /// The tensor stored under `view` (a copy).
    public func tensor(_ view: ParameterView) -> Tensor {
        checkOwned(view)
        return Tensor(shape: view.shape, scalars: Array(values[view.range]))
    }

    /// The tensor stored under the named parameter (a copy); stops if the name is unknown.
    public func tensor(named name: String) -> Tensor {
        guard let view = layout.view(named: name) else {
            preconditionFailure("ParameterSet: no parameter named '\(name)'; known: \(layout.views.map(\.name))")
        }
        return tensor(view)
    }

    /// Overwrites the parameter under `view` with `tensor`, whose shape must match.
    public mutating func set(_ view: ParameterView, to tensor: Tensor) {
        checkOwned(view)
        precondition(tensor.shape == view.shape, "ParameterSet.set: parameter '\(view.name)' has shape \(view.shape), got \(tensor.shape)")
        values.withUnsafeMutableBufferPointer { dst in
            tensor.withUnsafeBufferPointer { src in
                for i in 0..<view.count { dst[view.offset + i] = src[i] }
            }
        }
    }

    /// Read-only pointer to the elements of `view`.
    public func withUnsafeBufferPointer<R>(_ view: ParameterView, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        checkOwned(view)
        return try values.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[view.range]))
        }
    }

    /// Mutable pointer to the elements of `view`.
    public mutating func withUnsafeMutableBufferPointer<R>(_ view: ParameterView, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        checkOwned(view)
        return try values.withUnsafeMutableBufferPointer { all in
            try body(UnsafeMutableBufferPointer(rebasing: all[view.range]))
        }
    }

    /// Mutable pointers to the elements of two disjoint views at once, for kernels that
    /// fill two parameters' gradients in one pass (a convolution's kernel and bias).
    public mutating func withUnsafeMutableBufferPointers<R>(
        _ first: ParameterView, _ second: ParameterView,
        _ body: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        checkOwned(first)
        checkOwned(second)
        precondition(
            !first.range.overlaps(second.range),
            "ParameterSet: views '\(first.name)' and '\(second.name)' overlap; two mutable pointers need disjoint views")
        return try values.withUnsafeMutableBufferPointer { all in
            try body(UnsafeMutableBufferPointer(rebasing: all[first.range]), UnsafeMutableBufferPointer(rebasing: all[second.range]))
        }
    }

    private func checkOwned(_ view: ParameterView) {
        precondition(
            view.range.upperBound <= values.count && layout.view(named: view.name) == view,
            "ParameterSet: view '\(view.name)' does not belong to this layout")
    }
}
