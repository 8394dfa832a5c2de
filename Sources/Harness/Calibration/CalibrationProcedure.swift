import Core
import Foundation
import Results

/// AlgoPerf's target-setting procedure, scaled to this suite, as pure functions of trial
/// records (so it is tested on hand-built cases):
///
/// 1. Tune each baseline with quasi-random search over a search budget (a multiple of
///    `max_runtime_s`, with `step_hint` scaled alike so the baselines' schedules span it:
///    `WorkloadSpec.searchBudget(scale:)`), training past any target; the best
///    configuration is the one whose best validation metric is best.
/// 2. Rerun it with several seeds. Validation target = median over reruns of the best
///    validation metric reached; test target = the worst test metric, among reruns that
///    reached the validation target, at the evaluation where each first reached it.
/// 3. `max_runtime_s` = 4/3 × the median submission time the reruns need to reach the
///    validation target; `step_hint` = the reruns' median steps per second × `max_runtime_s`;
///    `eval_period_s` = the measured cost of one evaluation ÷ 0.15 (evaluation about 15%
///    of training time), kept within [max_runtime_s/100, max_runtime_s/5].
public enum CalibrationProcedure {
    /// The calibrated numbers of one workload (base or variant).
    public struct Numbers: Sendable, Equatable {
        public var validationTarget: Double
        public var testTarget: Double
        public var maxRuntimeSeconds: Double
        public var evalPeriodSeconds: Double
        public var stepHint: Int
        /// Reruns, and how many reached the validation target.
        public var reruns: Int
        public var reached: Int
    }

    /// Share of training time evaluation may take.
    public static let evaluationShare = 0.15

    /// The best validation metric a trial reached (NaN when it has no finite evaluation).
    public static func bestValidation(of trial: TrialRecord) -> Double {
        trial.evaluations.map(\.validationMetric).filter(\.isFinite).reduce(Double.nan) { best, x in
            trial.workload.direction.isBetter(x, than: best) ? x : best
        }
    }

    /// The tuning trial with the best best-validation metric (ties: the earlier key).
    public static func bestTrial(_ trials: [TrialRecord]) -> TrialRecord? {
        trials.sorted { $0.key < $1.key }.reduce(nil) { (best: TrialRecord?, trial) in
            guard let current = best else { return bestValidation(of: trial).isNaN ? nil : trial }
            return trial.workload.direction.isBetter(bestValidation(of: trial), than: bestValidation(of: current)) ? trial : current
        }
    }

    /// Targets and budget from the reruns of the best configuration; nil when no rerun
    /// has a finite evaluation, or when the median rerun never reaches the target (with an
    /// even count half of them missing it makes the median time infinite: no budget).
    public static func numbers(fromReruns reruns: [TrialRecord]) -> Numbers? {
        guard let direction = reruns.first?.workload.direction else { return nil }
        let bests = reruns.map(bestValidation(of:)).filter { !$0.isNaN }
        guard !bests.isEmpty else { return nil }
        let validationTarget = median(bests)
        var times: [Double] = [], tests: [Double] = []
        for rerun in reruns {
            let hit = rerun.evaluations
                .filter { direction.meets($0.validationMetric, target: validationTarget) }
                .min { $0.submissionTime < $1.submissionTime }
            times.append(hit?.submissionTime ?? .infinity)
            if let hit { tests.append(hit.testMetric) }
        }
        let testTarget = tests.reduce(Double.nan) { worst, x in worst.isNaN || direction.isBetter(worst, than: x) ? x : worst }
        let maxRuntime = 4.0 / 3.0 * median(times)
        guard maxRuntime.isFinite else { return nil }
        let rates = reruns.compactMap { rerun -> Double? in
            guard let last = rerun.evaluations.last, last.submissionTime > 0 else { return nil }
            return Double(last.step) / last.submissionTime
        }
        let costs = reruns.compactMap { rerun -> Double? in
            guard let last = rerun.evaluations.last, !rerun.evaluations.isEmpty else { return nil }
            return max(0, last.wallTime - last.submissionTime) / Double(rerun.evaluations.count)
        }
        let period = min(max((costs.isEmpty ? 0 : median(costs)) / evaluationShare, maxRuntime / 100), maxRuntime / 5)
        return Numbers(
            validationTarget: validationTarget, testTarget: testTarget, maxRuntimeSeconds: maxRuntime,
            evalPeriodSeconds: period, stepHint: max(1, Int((median(rates.isEmpty ? [0] : rates) * maxRuntime).rounded())),
            reruns: reruns.count, reached: tests.count)
    }

    /// The median; the mean of the two middle values for an even count.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
