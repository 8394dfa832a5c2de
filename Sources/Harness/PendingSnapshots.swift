import Core
import NN

/// The evaluation parameters kept at the points of a `SnapshotGrid` since the last
/// periodic evaluation, waiting to be evaluated if the next periodic evaluation is the
/// first to meet the target, and dropped when it is not.
struct PendingSnapshots {
    /// One kept snapshot: where the trial stood, and a copy of the parameters it would
    /// have evaluated there.
    struct Snapshot {
        let step: Int
        let submissionTime: Double
        let counts: OracleCounts
        let parameters: ParameterSet
    }

    let grid: SnapshotGrid
    private(set) var kept: [Snapshot] = []
    /// The grid index covered last (by a snapshot or a periodic evaluation).
    private var covered: Int?

    init(grid: SnapshotGrid) {
        self.grid = grid
    }

    /// Whether a grid point has been passed since the last snapshot or evaluation, at
    /// `value` in the grid's measure.
    func isDue(at value: Double) -> Bool {
        guard let index = grid.lastPoint(atOrBelow: value) else { return false }
        return covered.map { index > $0 } ?? true
    }

    /// Keeps a snapshot of `parameters` taken at `value`, covering every grid point up to
    /// it. The parameters are copied into storage of their own, so the training step that
    /// follows updates its buffer in place instead of copying it on the clock.
    mutating func keep(_ parameters: ParameterSet, step: Int, submissionTime: Double, counts: OracleCounts, at value: Double) {
        let copy = parameters.values.withUnsafeBufferPointer { Array($0) }
        kept.append(
            Snapshot(
                step: step, submissionTime: submissionTime, counts: counts,
                parameters: ParameterSet(layout: parameters.layout, values: copy)))
        cover(upTo: value)
    }

    /// Drops the kept snapshots after a periodic evaluation at `value`, which covers
    /// every grid point up to it.
    mutating func evaluated(at value: Double) {
        kept.removeAll()
        cover(upTo: value)
    }

    private mutating func cover(upTo value: Double) {
        if let index = grid.lastPoint(atOrBelow: value) { covered = max(covered ?? index, index) }
    }
}
