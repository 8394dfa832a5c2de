/// Reductions over tensors: totals, norms, extrema and per-row / per-column sums.
///
/// Sums are accumulated in Double so that a loss or a norm over millions of Float32
/// elements does not drift with the element order's rounding; the per-row and per-column
/// results are rounded to Float once at the end. Extrema are named `maximum()` and
/// `minimum()` rather than `max()`/`min()` so that they do not shadow the standard
/// library's two-argument functions inside `Tensor` extensions.
extension Tensor {
    // MARK: Whole-tensor reductions

    /// Sum of all elements (Double accumulation); zero for an empty tensor.
    public func sum() -> Double {
        withUnsafeBufferPointer { x in
            var total = 0.0
            for v in x { total += Double(v) }
            return total
        }
    }

    /// Mean of all elements (Double accumulation). Stops on an empty tensor, whose mean is undefined.
    public func mean() -> Double {
        precondition(count > 0, "Tensor.mean: tensor of shape \(shape) is empty")
        return sum() / Double(count)
    }

    /// Sum of squared elements (Double accumulation), e.g. for weight decay or gradient norms.
    public func sumOfSquares() -> Double {
        withUnsafeBufferPointer { x in
            var total = 0.0
            for v in x {
                let d = Double(v)
                total += d * d
            }
            return total
        }
    }

    /// Euclidean (L2) norm of all elements, `√(sumOfSquares())`.
    public func norm() -> Double { sumOfSquares().squareRoot() }

    /// Mean and population variance (divisor `count`) in one pass over the data.
    ///
    /// Uses Welford's update in Double, which stays accurate when the mean is large
    /// compared with the spread (the naive `E[x²] − E[x]²` cancels catastrophically there).
    public func meanAndVariance() -> (mean: Double, variance: Double) {
        precondition(count > 0, "Tensor.meanAndVariance: tensor of shape \(shape) is empty")
        return withUnsafeBufferPointer { x in
            var mean = 0.0, m2 = 0.0
            for (i, v) in x.enumerated() {
                let d = Double(v)
                let delta = d - mean
                mean += delta / Double(i + 1)
                m2 += delta * (d - mean)
            }
            return (mean, m2 / Double(x.count))
        }
    }

    /// Largest element; a NaN anywhere makes the result NaN. Stops on an empty tensor.
    public func maximum() -> Float {
        precondition(count > 0, "Tensor.maximum: tensor of shape \(shape) is empty")
        return withUnsafeBufferPointer { x in
            var best = x[0]
            for v in x {
                if v.isNaN { return v }
                if v > best { best = v }
            }
            return best
        }
    }

    /// Smallest element; a NaN anywhere makes the result NaN. Stops on an empty tensor.
    public func minimum() -> Float {
        precondition(count > 0, "Tensor.minimum: tensor of shape \(shape) is empty")
        return withUnsafeBufferPointer { x in
            var best = x[0]
            for v in x {
                if v.isNaN { return v }
                if v < best { best = v }
            }
            return best
        }
    }

    /// Largest absolute value (the infinity norm); NaN if any element is NaN; zero when empty.
    public func maximumMagnitude() -> Float {
        withUnsafeBufferPointer { x in
            var best: Float = 0
            for v in x {
                if v.isNaN { return v }
                let a = abs(v)
                if a > best { best = a }
            }
            return best
        }
    }

    /// Whether every element is finite (no NaN or infinity), for divergence checks.
    public var isFinite: Bool {
        withUnsafeBufferPointer { x in x.allSatisfy(\.isFinite) }
    }

    // MARK: Row and column reductions (last axis = columns)

    /// Index of the largest element of each row of the last axis (ties: first index;
    /// a NaN counts as largest), e.g. predicted classes from logits `[batch, classes]`.
    /// Stops when rows are empty.
    public func argmaxRows() -> [Int] {
        let (rows, width) = Tensor.rowsAndWidth(shape, "argmaxRows")
        precondition(width > 0, "Tensor.argmaxRows: rows of shape \(shape) are empty")
        return withUnsafeBufferPointer { x in
            var result = [Int](repeating: 0, count: rows)
            for r in 0..<rows {
                let o = r * width
                var bestIndex = 0
                var best = x[o]
                if !best.isNaN {
                    for j in 1..<width {
                        let v = x[o + j]
                        if v.isNaN { bestIndex = j; break }
                        if v > best { best = v; bestIndex = j }
                    }
                }
                result[r] = bestIndex
            }
            return result
        }
    }

    /// Sum of each row of the last axis: shape `[..., n]` → `[...]` (a rank-1 input gives
    /// a one-element `[1]`). Double accumulation per row.
    public func rowSums() -> Tensor {
        let (rows, width) = Tensor.rowsAndWidth(shape, "rowSums")
        var result = Tensor(shape: rank == 1 ? [1] : Array(shape.dropLast()))
        withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                for r in 0..<rows {
                    var total = 0.0
                    for j in (r * width)..<((r + 1) * width) { total += Double(x[j]) }
                    y[r] = Float(total)
                }
            }
        }
        return result
    }

    /// Sum over every leading axis, per column of the last axis: shape `[..., n]` → `[n]`
    /// (the bias gradient of a dense layer from its output gradient). Double accumulation.
    public func columnSums() -> Tensor {
        let (rows, width) = Tensor.rowsAndWidth(shape, "columnSums")
        var result = Tensor(shape: [width])
        withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                Tensor.accumulateColumnSums(x, rows: rows, columns: width, into: y)
            }
        }
        return result
    }

    /// Adds the column sums of the row-major `rows × columns` matrix in `matrix` to
    /// `destination` (which is not cleared first), accumulating in Double: the fused
    /// bias-gradient kernel that writes straight into a gradient buffer.
    public static func accumulateColumnSums(
        _ matrix: UnsafeBufferPointer<Float>, rows: Int, columns: Int,
        into destination: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(rows >= 0 && columns >= 0, "Tensor.accumulateColumnSums: negative size \(rows)×\(columns)")
        precondition(
            matrix.count >= rows * columns,
            "Tensor.accumulateColumnSums: matrix holds \(matrix.count) elements, \(rows)×\(columns) needs \(rows * columns)")
        precondition(
            destination.count == columns,
            "Tensor.accumulateColumnSums: destination holds \(destination.count) elements, expected \(columns)")
        guard rows > 0, columns > 0, let m = matrix.baseAddress, let out = destination.baseAddress else { return }
        // Each column's total starts at 0 and adds the rows in order, eight columns to a
        // vector of Doubles (a column never shares a lane), so the bits are those of a
        // plain row-by-row loop.
        typealias Lanes = SIMD8<Double>
        var j = 0
        while j + Lanes.scalarCount <= columns {
            var total = Lanes()
            for row in 0..<rows {
                total += Lanes(UnsafeRawPointer(m + row * columns + j).loadUnaligned(as: SIMD8<Float>.self))
            }
            for lane in 0..<Lanes.scalarCount { out[j + lane] += Float(total[lane]) }
            j += Lanes.scalarCount
        }
        for column in j..<columns {
            var total = 0.0
            for row in 0..<rows { total += Double(m[row * columns + column]) }
            out[column] += Float(total)
        }
    }

    /// (number of rows, row width) when the last axis is the row.
    private static func rowsAndWidth(_ shape: [Int], _ caller: String) -> (Int, Int) {
        precondition(!shape.isEmpty, "Tensor.\(caller): needs rank ≥ 1, got a scalar")
        let width = shape[shape.count - 1]
        let rows = shape.dropLast().reduce(1, *)
        return (rows, width)
    }
}
