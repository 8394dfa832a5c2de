import Tensor
/// What refreshing `LowRankProjector`s takes: LAPACK's workspace and the thin SVD's U, S
/// and Vᵀ, sized once for the largest matrix a method projects, so a refresh allocates
/// nothing.
struct ProjectorRefresher {
    private var workspace = LAPACKWorkspace()
    private var u: [Float] = [], s: [Float] = [], vt: [Float] = []

    /// Grows the scratch to hold the SVD of a rows × columns matrix.
    mutating func reserve(rows: Int, columns: Int) {
        let k = min(rows, columns)
        Self.grow(&u, to: rows * k)
        Self.grow(&s, to: k)
        Self.grow(&vt, to: k * columns)
    }

    /// Recomputes `projector`'s basis from the gradient at `g` (the projector's rows ×
    /// columns, row-major). `reserve` must have seen that shape.
    mutating func refresh(_ projector: inout LowRankProjector, from g: UnsafePointer<Float>) {
        let k = min(projector.rows, projector.columns)
        precondition(
            u.count >= projector.rows * k && s.count >= k && vt.count >= k * projector.columns,
            "ProjectorRefresher: reserve(rows:columns:) was not called for this shape")
        u.withUnsafeMutableBufferPointer { uu in
            s.withUnsafeMutableBufferPointer { ss in
                vt.withUnsafeMutableBufferPointer { vv in
                    projector.refresh(from: g, workspace: &workspace, u: uu.baseAddress!, s: ss.baseAddress!, vt: vv.baseAddress!)
                }
            }
        }
    }

    private static func grow(_ buffer: inout [Float], to count: Int) {
        if buffer.count < count { buffer = [Float](repeating: 0, count: count) }
    }
}
