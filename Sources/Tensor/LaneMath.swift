/// Vectorised `exp` and `tanh` over eight Float lanes, for elementwise layers whose scalar
/// libm calls dominate their cost (GELU's `tanhf` took about a third of the transformer's
/// training step).
///
/// The same lanes give the same bits wherever they sit in a buffer, so a loop that runs
/// its tail through a partly filled vector is as reproducible as a scalar one.
public enum LaneMath {
    public typealias Lanes = SIMD8<Float>

    @usableFromInline static let log2e: Float = 1.442_695_04
    /// ln 2 split so that `n·ln2High` is exact for |n| ≤ 2¹⁰ (Cody–Waite reduction).
    @usableFromInline static let ln2High: Float = 0.693_145_752
    @usableFromInline static let ln2Low: Float = 1.428_606_77e-6

    /// `eˣ` for x in [−87.3, 88.3] with relative error below 3e-7 (about 2 ulp); inputs
    /// are clamped to that range, so x < −87.3 gives about 1.2e-38 (not a subnormal or 0)
    /// and x > 88.3 about 2.1e38 (not ∞: 2ⁿ must stay a normal Float).
    ///
    /// x = n·ln 2 + r with |r| ≤ ln2/2, `eʳ` from its degree-7 Taylor polynomial
    /// (truncation error below 6e-9), and 2ⁿ from the exponent bits.
    @inlinable @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        let low = Lanes(repeating: -87.3), high = Lanes(repeating: 88.3)
        var clamped = x.replacing(with: low, where: x .< low)
        clamped.replace(with: high, where: clamped .> high)
        // Adding 1.5·2²³ rounds x·log2(e) to the nearest integer n (ties to even) and
        // leaves n in the low bits of the sum, which become the exponent of 2ⁿ.
        let shifted = clamped * log2e + shifter
        let n = shifted - shifter
        let r = (clamped - n * ln2High) - n * ln2Low
        var p = Lanes(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- shifterBits
        return p * unsafeBitCast((integer &+ 127) &<< 23, to: Lanes.self)
    }

    @usableFromInline static let shifter: Float = 12_582_912  // 1.5·2²³
    @usableFromInline static let shifterBits = SIMD8<Int32>(repeating: Int32(bitPattern: shifter.bitPattern))

    /// `tanh(x)` with absolute error below 3e-7 for every finite x, as
    /// `sign(x)·(1 − 2/(e^{2|x|} + 1))`. Near 0 the relative error grows (the result is
    /// 1 minus a number close to 1), which is harmless where tanh is added to 1, as in
    /// GELU; it is not a replacement for `tanhf` where small values matter relatively.
    @inlinable @inline(__always)
    public static func tanh(_ x: Lanes) -> Lanes {
        let negative = x .< 0
        var magnitude = x.replacing(with: -x, where: negative)
        magnitude.replace(with: Lanes(repeating: 20), where: magnitude .> 20)
        let t = 1 - 2 / (exp(2 * magnitude) + 1)
        return t.replacing(with: -t, where: negative)
    }

    /// The eight floats at `pointer` (any alignment).
    @inlinable @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    /// Writes `lanes` to the eight floats at `pointer` (any alignment).
    @inlinable @inline(__always)
    public static func store(_ lanes: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: Lanes.self)
    }

    /// Applies `body` to `count` elements of `source`, eight lanes at a time, writing
    /// `destination` (which may be `source`); the tail goes through a zero-padded vector.
    @inlinable @inline(__always)
    public static func map(
        _ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int,
        _ body: (Lanes) -> Lanes
    ) {
        var i = 0
        while i + Lanes.scalarCount <= count {
            store(body(load(source + i)), destination + i)
            i += Lanes.scalarCount
        }
        guard i < count else { return }
        var x = Lanes()
        for j in 0..<(count - i) { x[j] = source[i + j] }
        let y = body(x)
        for j in 0..<(count - i) { destination[i + j] = y[j] }
    }
}
