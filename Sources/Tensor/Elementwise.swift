/// Fused, allocation-free elementwise operations on tensors of equal shape.
extension Tensor {
    /// `self += other`, elementwise.
    /// Large tensors (a residual addition of feature maps) are split over the trial's
    /// threads (`ParallelRanges`); each element is one addition, so any split gives the
    /// same bits.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "Tensor.add: shapes differ: \(shape) and \(other.shape)")
        withUnsafeMutableBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                guard let aBase = a.baseAddress, let bBase = b.baseAddress else { return }
                let (sum, addend) = (SharedBuffer(aBase), SharedBuffer(bBase))
                Self.splitting(a.count) { range in
                    for i in range { sum.base[i] += addend.base[i] }
                }
            }
        }
    }

    /// `self += alpha * other`, elementwise.
    public mutating func add(_ other: Tensor, scaledBy alpha: Float) {
        precondition(shape == other.shape, "Tensor.add(_:scaledBy:): shapes differ: \(shape) and \(other.shape)")
        withUnsafeMutableBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += alpha * b[i] }
            }
        }
    }

    /// `self *= alpha`, elementwise.
    public mutating func scale(by alpha: Float) {
        withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] *= alpha }
        }
    }

    /// A new tensor with `transform` applied to every element.
    public func map(_ transform: (Float) -> Float) -> Tensor {
        var result = self
        result.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] = transform(a[i]) }
        }
        return result
    }
}

/// The rectifier and its gradient, sixteen lanes at a time (the scalar loops with a
/// branch per element took 15 % of the cnn's training step), split over the trial's
/// threads when large (feature maps; any split gives the same bits).
extension Tensor {
    private typealias RectifierLanes = SIMD16<Float>

    /// Elements from which an elementwise loop is split over the threads: the cnn's
    /// feature maps (262,144 to 1,048,576 elements), not the transformer's activations.
    static let elementsWorthSplitting = 1 << 17

    /// Calls `body` on disjoint ranges covering `0..<count`, aligned to whole vectors, on
    /// the trial's threads when `count` is at least `elementsWorthSplitting`.
    static func splitting(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        ParallelRanges.forEach(
            count, parts: ParallelRanges.parts(forElements: count, minimumElements: elementsWorthSplitting),
            alignment: RectifierLanes.scalarCount, body)
    }

    /// `max(x, 0)` elementwise; NaN stays NaN (so divergence shows), −0 stays −0.
    public func rectified() -> Tensor {
        Tensor(shape: shape) { y in
            withUnsafeBufferPointer { x in
                guard let xBase = x.baseAddress, let yBase = y.baseAddress else { return }
                let (source, target) = (SharedBuffer(xBase), SharedBuffer(yBase))
                Self.splitting(x.count) { range in
                    Self.lanewise(
                        UnsafeBufferPointer(start: source.base + range.lowerBound, count: range.count),
                        into: UnsafeMutableBufferPointer(start: target.base + range.lowerBound, count: range.count)
                    ) { v in v.replacing(with: 0, where: v .< 0) } scalar: { $0 < 0 ? 0 : $0 }
                }
            }
        }
    }

    /// The rectifier's input gradient: `outputGradient` where `input > 0`, zero elsewhere
    /// (the derivative at zero, and at NaN, taken as zero).
    public static func rectifierGradient(outputGradient: Tensor, input: Tensor) -> Tensor {
        precondition(
            outputGradient.shape == input.shape,
            "Tensor.rectifierGradient: shapes differ: \(outputGradient.shape) and \(input.shape)")
        return Tensor(shape: input.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                input.withUnsafeBufferPointer { x in
                    guard let dyBase = dy.baseAddress, let xBase = x.baseAddress, let outBase = dx.baseAddress else { return }
                    let (gradient, source, target) = (SharedBuffer(dyBase), SharedBuffer(xBase), SharedBuffer(outBase))
                    Self.splitting(dx.count) { range in
                        let (dyPart, xPart, out) = (
                            gradient.base + range.lowerBound, source.base + range.lowerBound, target.base + range.lowerBound)
                        let count = range.count, width = RectifierLanes.scalarCount
                        var i = 0
                        while i + width <= count {
                            let g = UnsafeRawPointer(dyPart + i).loadUnaligned(as: RectifierLanes.self)
                            let v = UnsafeRawPointer(xPart + i).loadUnaligned(as: RectifierLanes.self)
                            UnsafeMutableRawPointer(out + i).storeBytes(
                                of: RectifierLanes(repeating: 0).replacing(with: g, where: v .> 0), as: RectifierLanes.self)
                            i += width
                        }
                        for j in i..<count { out[j] = xPart[j] > 0 ? dyPart[j] : 0 }
                    }
                }
            }
        }
    }

    /// Writes `lanes` of each sixteen elements of `x` to `y` (same count), and `scalar` of each
    /// element of the tail.
    @inline(__always)
    private static func lanewise(
        _ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>,
        lanes: (RectifierLanes) -> RectifierLanes, scalar: (Float) -> Float
    ) {
        guard let xBase = x.baseAddress, let yBase = y.baseAddress else { return }
        let count = x.count, width = RectifierLanes.scalarCount
        var i = 0
        while i + width <= count {
            let v = UnsafeRawPointer(xBase + i).loadUnaligned(as: RectifierLanes.self)
            UnsafeMutableRawPointer(yBase + i).storeBytes(of: lanes(v), as: RectifierLanes.self)
            i += width
        }
        for j in i..<count { yBase[j] = scalar(xBase[j]) }
    }
}
