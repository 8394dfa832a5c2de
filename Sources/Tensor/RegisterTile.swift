/// The 6 × 16 register tile of the direct convolution kernels: six rows of sums, each two
/// 8-lane vectors, kept in twelve registers while a reduction runs.
///
/// A tile lives in memory between reductions as 12 consecutive vectors, row `r` lanes
/// `0..<8` at `2r` and lanes `8..<16` at `2r + 1`, so element `(r, j)` is float
/// `16r + j`.
enum RegisterTile {
    typealias Lanes = SIMD8<Float>
    /// Rows of the tile.
    static let rows = 6
    /// Lanes of the tile.
    static let lanes = 16
    /// Floats a stored tile occupies.
    static let floats = rows * lanes

    /// For `k` in `0..<count`: row `r` of the tile at `sums` gains
    /// `x[rowOffsets[k] + columns[r]] · v[k·vStride ..< k·vStride + 16]`, each term a fused
    /// multiply-add, in order of `k`. This loop is where the direct convolutions spend
    /// their time. Never inlined: as a function of its own it keeps all six row pointers in
    /// registers (inlined into the drivers' loops, two of them were spilled to the stack).
    @inline(never)
    static func accumulate(
        into sums: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, rowOffsets: UnsafePointer<Int>, count: Int,
        columns: UnsafePointer<Int>, v: UnsafePointer<Float>, vStride: Int
    ) {
        let s = UnsafeMutableRawPointer(sums)
        func load(_ i: Int) -> Lanes { s.loadUnaligned(fromByteOffset: 32 * i, as: Lanes.self) }
        var a00 = load(0), a01 = load(1), a10 = load(2), a11 = load(3), a20 = load(4), a21 = load(5)
        var a30 = load(6), a31 = load(7), a40 = load(8), a41 = load(9), a50 = load(10), a51 = load(11)
        let x0 = x + columns[0], x1 = x + columns[1], x2 = x + columns[2]
        let x3 = x + columns[3], x4 = x + columns[4], x5 = x + columns[5]
        var vk = UnsafeRawPointer(v)
        let step = vStride * MemoryLayout<Float>.stride
        for k in 0..<count {
            let o = rowOffsets[k]
            let w0 = vk.loadUnaligned(as: Lanes.self)
            let w1 = vk.loadUnaligned(fromByteOffset: 32, as: Lanes.self)
            vk += step
            var b = Lanes(repeating: x0[o])
            a00 = a00.addingProduct(b, w0); a01 = a01.addingProduct(b, w1)
            b = Lanes(repeating: x1[o])
            a10 = a10.addingProduct(b, w0); a11 = a11.addingProduct(b, w1)
            b = Lanes(repeating: x2[o])
            a20 = a20.addingProduct(b, w0); a21 = a21.addingProduct(b, w1)
            b = Lanes(repeating: x3[o])
            a30 = a30.addingProduct(b, w0); a31 = a31.addingProduct(b, w1)
            b = Lanes(repeating: x4[o])
            a40 = a40.addingProduct(b, w0); a41 = a41.addingProduct(b, w1)
            b = Lanes(repeating: x5[o])
            a50 = a50.addingProduct(b, w0); a51 = a51.addingProduct(b, w1)
        }
        func store(_ i: Int, _ value: Lanes) { s.storeBytes(of: value, toByteOffset: 32 * i, as: Lanes.self) }
        store(0, a00); store(1, a01); store(2, a10); store(3, a11); store(4, a20); store(5, a21)
        store(6, a30); store(7, a31); store(8, a40); store(9, a41); store(10, a50); store(11, a51)
    }
}
