import Core
import Results

/// How well a trial's time to target is known, and what its evaluations cost: the two
/// figures the evaluation rule is judged on (see the README's "How time to target is
/// measured").
public struct TrialTiming: Sendable, Equatable {
    /// Submission time of the earliest row meeting the validation target; nil when none does.
    public var timeToTarget: Double?
    /// How far before `timeToTarget` the target may have been crossed: the gap to the
    /// latest evaluated row before it (the target was missed there and met at the hit), or
    /// the hit's own time when it is the first row. Nil when the target was not met.
    public var uncertainty: Double?
    /// Wall time of the trial as far as its rows show (the latest `wall_time`), seconds.
    public var wallTime: Double
    /// Submission time at the trial's end (the largest `submission_time`), seconds.
    public var submissionTime: Double

    /// The timing of `trial`'s rows; zeros for a trial without rows.
    public init(of trial: TrialRecord) {
        let rows = trial.evaluations
        let hit = TargetMeasure.earliestReaching(in: trial)
        timeToTarget = hit?.submissionTime
        uncertainty = hit.map { hit in
            hit.submissionTime - (rows.map(\.submissionTime).filter { $0 < hit.submissionTime }.max() ?? 0)
        }
        wallTime = rows.map(\.wallTime).filter(\.isFinite).max() ?? 0
        submissionTime = rows.map(\.submissionTime).filter(\.isFinite).max() ?? 0
    }

    /// `uncertainty` as a fraction of the time to target; nil when not reached or reached at 0.
    public var relativeUncertainty: Double? {
        guard let uncertainty, let timeToTarget, timeToTarget > 0 else { return nil }
        return uncertainty / timeToTarget
    }

    /// Seconds of the trial's wall time off the submission clock: evaluations (periodic and
    /// of snapshots), the submission's initialisation, logging.
    public var offClock: Double { max(0, wallTime - submissionTime) }
}
