import Tensor

/// A Gaussian direction `z ~ N(0, I)` that is never stored: it is regenerated from its
/// seed whenever it is needed (MeZO's memory trick), in the same order as
/// `RandomGenerator.fillNormal` draws it.
struct GaussianDirection {
    let seed: UInt64

    /// `values[i] += scale · z[i]` for every coordinate.
    func add(_ scale: Float, to values: inout [Float]) {
        forEach(count: values.count) { i, z in values[i] += scale * z }
    }

    /// Calls `body(i, z[i])` for every coordinate in order.
    @inline(__always)
    func forEach(count: Int, _ body: (Int, Float) -> Void) {
        var generator = RandomGenerator(seed: seed)
        var i = 0
        while i < count {
            let (a, b) = generator.nextNormalPair()
            body(i, Float(a))
            if i + 1 < count { body(i + 1, Float(b)) }
            i += 2
        }
    }
}
