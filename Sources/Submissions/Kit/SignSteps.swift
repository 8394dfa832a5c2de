/// The sign steps of sign-based methods (signSGD, Lion, Grams, Yogi's sign of v − g²),
/// with the convention every one of them uses: sign 0 at 0, and 0 for NaN (so a NaN
/// gradient stalls a coordinate rather than poisoning it through the sign).
extension Float {
    /// 1, −1 or 0: the sign of this value (0 for ±0 and NaN).
    @inline(__always)
    var signum: Float { self > 0 ? 1 : (self < 0 ? -1 : 0) }

    /// This value's magnitude with `g`'s sign, 0 where g is 0 or NaN: `sign(g)·|x|`.
    @inline(__always)
    func magnitude(signedLike g: Float) -> Float {
        let size = abs(self)
        return g > 0 ? size : (g < 0 ? -size : 0)
    }
}
