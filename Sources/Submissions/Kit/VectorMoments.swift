import Core
import NN

/// The tensors of rank below 2 (biases, normalisation scales) that a matrix method
/// (GaLore, FRUGAL, APOLLO, subspace momentum, SCALE, COSMOS) leaves to an Adam-type
/// rule, with their moments packed in one pair of buffers in layout order.
///
/// Each method keeps its own rule for these tensors (its authors' code decays them in
/// different orders), passed to `update`; what they share, where each tensor's moments
/// sit and the loop over them, lives here.
struct VectorMoments {
    /// Where each tensor's moments start in the buffers, or nil for a matrix (rank ≥ 2).
    let offsets: [Int?]
    /// m and v of the vector tensors.
    var moments: MomentBuffers

    /// Moments for every tensor of `layout` whose rank is below 2, with β₁ and β₂ read
    /// from `one_minus_beta1` and `beta2`.
    init(layout: ParameterLayout, hyperparameters: Hyperparameters) throws {
        try self.init(layout: layout, decay: MomentDecay(hyperparameters: hyperparameters))
    }

    /// Moments for every tensor of `layout` whose rank is below 2, with the given decays.
    init(layout: ParameterLayout, decay: MomentDecay) {
        var offsets: [Int?] = [], count = 0
        for view in layout.views {
            if view.shape.count >= 2 {
                offsets.append(nil)
            } else {
                offsets.append(count)
                count += view.count
            }
        }
        self.offsets = offsets
        moments = MomentBuffers(decay: decay, count: count)
    }

    /// Whether tensor `index` of the layout is a vector handled here.
    func holds(_ index: Int) -> Bool { offsets[index] != nil }

    /// Applies `rule` to every element of vector tensor `index` (θ, m, v, g), in one pass.
    @inline(__always)
    mutating func update(
        _ index: Int, of parameters: inout ParameterSet, gradient: ParameterSet,
        _ rule: (_ theta: inout Float, _ m: inout Float, _ v: inout Float, _ g: Float) -> Void
    ) {
        guard let offset = offsets[index] else { preconditionFailure("VectorMoments: tensor \(index) is a matrix") }
        FusedUpdate.apply(
            &parameters.values, &moments.first, &moments.second, gradient: gradient.values,
            range: parameters.views[index].range, stateOffset: offset, rule)
    }

    /// Bytes held: both buffers.
    var stateBytes: Int { moments.stateBytes }
}
