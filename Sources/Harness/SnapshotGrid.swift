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

    /// The grid every scored trial is refined on, in steps: from a tenth of the budget's
    /// steps (`step_hint` × budget scale), each point 8 % after the one before, up to ten
    /// times the budget's steps (a submission faster per step than the calibrated baseline
    /// takes more). A step to target is known to within 10 % of its value (or of the
    /// budget's steps, when reached in their first tenth), counting the step a point
    /// rounds up to; at a steady step time, so is the time.
    public static func standard(budgetSteps: Double) -> SnapshotGrid {
        geometric(start: standardStart * budgetSteps, ratio: standardRatio, end: standardEnd * budgetSteps)
    }

    /// The standard grid's first point, as a fraction of the budget.
    public static let standardStart = 0.1
    /// The standard grid's last point, as a multiple of the budget's steps.
    public static let standardEnd = 10.0
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
