/// Row reductions of contiguous Float runs, eight lanes at a time, for the per-row loops of
/// softmax and layer normalisation (a serial Double sum of a 64-element row is a chain of
/// 64 dependent additions, about 4 cycles each; the transformer runs tens of thousands of
/// such rows per step).
///
/// Sums accumulate in Double, as the scalar loops they replace did, in a fixed order that
/// depends only on the row's length: lane `l` sums elements `l, l + 8, l + 16, …` of the
/// whole vectors, the lanes are added in a fixed tree, then the tail's elements in order.
/// So the result is reproducible and independent of where the row sits or of threads;
/// it may differ from a left-to-right sum in the last bits of the Double.
public enum LaneSums {
    @usableFromInline typealias FloatLanes = SIMD8<Float>
    @usableFromInline typealias DoubleLanes = SIMD8<Double>

    /// `Σ x[j]` over `count` elements, in Double.
    @inlinable @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
        var lanes = DoubleLanes()
        var i = 0
        while i + 8 <= count {
            lanes += DoubleLanes(load(x + i))
            i += 8
        }
        var total = fold(lanes)
        while i < count {
            total += Double(x[i])
            i += 1
        }
        return total
    }

    /// `Σ (x[j] − center)²` over `count` elements, in Double (the centred second moment
    /// of layer normalisation).
    @inlinable @inline(__always)
    public static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, from center: Double) -> Double {
        let c = DoubleLanes(repeating: center)
        var lanes = DoubleLanes()
        var i = 0
        while i + 8 <= count {
            let d = DoubleLanes(load(x + i)) - c
            lanes += d * d
            i += 8
        }
        var total = fold(lanes)
        while i < count {
            let d = Double(x[i]) - center
            total += d * d
            i += 1
        }
        return total
    }

    /// `Σ x[j]·y[j]` over `count` elements, each factor widened to Double first.
    @inlinable @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Double {
        var lanes = DoubleLanes()
        var i = 0
        while i + 8 <= count {
            lanes += DoubleLanes(load(x + i)) * DoubleLanes(load(y + i))
            i += 8
        }
        var total = fold(lanes)
        while i < count {
            total += Double(x[i]) * Double(y[i])
            i += 1
        }
        return total
    }

    /// The largest of `count` elements (−∞ when `count` is 0). Exact, so the order does not
    /// matter; a NaN may or may not win, as with the scalar `max` loop it replaces.
    @inlinable @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = FloatLanes(repeating: -.infinity)
        var i = 0
        while i + 8 <= count {
            let v = load(x + i)
            lanes.replace(with: v, where: v .> lanes)
            i += 8
        }
        var result = lanes[0]
        for l in 1..<8 { result = Swift.max(result, lanes[l]) }
        while i < count {
            result = Swift.max(result, x[i])
            i += 1
        }
        return result
    }

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> FloatLanes {
        UnsafeRawPointer(p).loadUnaligned(as: FloatLanes.self)
    }

    /// The eight lanes added in a fixed tree: (0+4, 1+5, 2+6, 3+7), then pairs, then the two.
    @inlinable @inline(__always)
    static func fold(_ lanes: DoubleLanes) -> Double {
        let four = lanes.lowHalf + lanes.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }
}
