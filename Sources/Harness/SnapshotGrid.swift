/// The points at which the runner keeps a snapshot of the evaluation parameters, in the
/// measure the evaluation schedule counts (seconds of submission time, or steps).
///
/// Periodic evaluations alone resolve a time to target only to the evaluation period (a
/// fifth of the budget on the largest workloads). The snapshots taken between two
/// evaluations are evaluated after the fact, off the clock, once the later evaluation
/// first meets the target (see `TrialRunner`): the time to target is then the first
/// snapshot meeting it. On the geometric grid `start · ratioⁿ` a time to target `t ≥ start`
/// is resolved to `(ratio − 1) · t` (plus at most one step), and an earlier one to `start`.
public struct SnapshotGrid: Sendable, Equatable {
    /// The points, increasing.
    public let points: [Double]

    /// A grid of the given points (sorted, duplicates dropped).
    public init(points: [Double]) {
        self.points = Array(Set(points)).sorted()
    }

    /// `start · ratioⁿ` for n = 0, 1, … while below `end`; empty unless `0 < start < end`
    /// and `ratio > 1`.
    public static func geometric(start: Double, ratio: Double, end: Double) -> SnapshotGrid {
        guard start > 0, start < end, ratio > 1, end.isFinite else { return SnapshotGrid(points: []) }
        return SnapshotGrid(points: Array(sequence(first: start) { $0 * ratio }.prefix { $0 < end }))
    }

    /// The grid every trial timed by submission time is refined on: from a tenth of the
    /// budget, each point 8 % after the one before, so that a time to target is known to
    /// within 10 % of its value (or of the budget, when it is reached in the first tenth),
    /// counting the step on which a snapshot lands.
    public static func standard(budgetSeconds: Double) -> SnapshotGrid {
        geometric(start: standardStart * budgetSeconds, ratio: standardRatio, end: budgetSeconds)
    }

    /// The standard grid's first point, as a fraction of the budget.
    public static let standardStart = 0.1
    /// The standard grid's ratio between neighbouring points; records carry it as
    /// `snapshot_ratio` (see `TrialRecord.snapshotRatio`).
    public static let standardRatio = 1.08

    /// The index of the last point at or below `value`, or nil when `value` is below the
    /// first point: a snapshot is due once this passes the last one taken.
    func lastPoint(atOrBelow value: Double) -> Int? {
        var low = 0, high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }
}
