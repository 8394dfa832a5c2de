import Core

/// The per-parameter state of an Adam-family method: two buffers as long as the flat
/// parameter vector (Adam's m and v; AdaBelief's m and s; Adamax's m and u), with the
/// decay rates that average into them.
///
/// Kept as two arrays (not interleaved) so an update streams them beside θ and g, and
/// `FusedUpdate` hands them to one per-element closure without copies.
struct MomentBuffers {
    /// β₁ and β₂, read once from the hyperparameters.
    let decay: MomentDecay
    /// The first buffer (m).
    var first: [Float]
    /// The second buffer (v, or the variant's second statistic).
    var second: [Float]

    /// Buffers of `count` elements, each set to `initialValue`, with the decays read from
    /// `one_minus_beta1` and `beta2`.
    init(hyperparameters: Hyperparameters, count: Int, initialValue: Float = 0) throws {
        try self.init(decay: MomentDecay(hyperparameters: hyperparameters), count: count, initialValue: initialValue)
    }

    /// Buffers of `count` elements, each set to `initialValue`, with the given decays (a
    /// method that reads its β's under other names).
    init(decay: MomentDecay, count: Int, initialValue: Float = 0) {
        self.decay = decay
        first = [Float](repeating: initialValue, count: count)
        second = first
    }

    /// Bytes held: both buffers.
    var stateBytes: Int { (first.count + second.count) * MemoryLayout<Float>.size }
}
