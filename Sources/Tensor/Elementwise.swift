/// Fused, allocation-free elementwise operations on tensors of equal shape.
extension Tensor {
    /// `self += other`, elementwise.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "Tensor.add: shapes differ: \(shape) and \(other.shape)")
        withUnsafeMutableBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += b[i] }
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
