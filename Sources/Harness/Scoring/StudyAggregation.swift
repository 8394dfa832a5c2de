/// AlgoPerf's reduction of trials to one number per (submission, workload): the fastest
/// trial of each study, then the median over studies with a missed study counting as
/// infinite.
public enum StudyAggregation {
    /// The fastest of a study's trial values (`.infinity` when all missed or none ran).
    /// NaN entries count as missed.
    public static func fastest(_ trialValues: [Double]) -> Double {
        trialValues.filter { !$0.isNaN }.min() ?? .infinity
    }

    /// The median of per-study values; with an even count, the mean of the two middle
    /// values (infinite when either is). `.infinity` for no studies.
    public static func median(_ studyValues: [Double]) -> Double {
        let sorted = studyValues.map { $0.isNaN ? .infinity : $0 }.sorted()
        guard !sorted.isEmpty else { return .infinity }
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        let (a, b) = (sorted[middle - 1], sorted[middle])
        return a.isInfinite || b.isInfinite ? .infinity : (a + b) / 2
    }

    /// AlgoPerf's median: studies without trials (NaN) are dropped, the rest go to NumPy's
    /// median (a missed study still counts as ∞); NaN when no study has trials.
    public static func medianOfPresent(_ studyValues: [Double]) -> Double {
        let present = studyValues.filter { !$0.isNaN }
        return present.isEmpty ? .nan : median(present)
    }

    /// AlgoPerf's best trial of a study: the trial meeting the target at the smallest
    /// evaluation index, the first such trial on a tie, as (trial position, value);
    /// nil when none met it. `reached[i]` is trial i's (index, value) or nil.
    public static func earliestByIndex(_ reached: [(index: Int, value: Double)?]) -> (trial: Int, value: Double)? {
        var best: (trial: Int, index: Int, value: Double)?
        for (trial, hit) in reached.enumerated() {
            guard let hit else { continue }
            if best.map({ hit.index < $0.index }) ?? true { best = (trial, hit.index, hit.value) }
        }
        return best.map { ($0.trial, $0.value) }
    }

    /// Per-study fastest values, in study order, from (study, value) pairs.
    public static func fastestPerStudy(_ trials: [(study: Int, value: Double)]) -> [Double] {
        let byStudy = Dictionary(grouping: trials, by: \.study)
        return byStudy.keys.sorted().map { fastest(byStudy[$0]?.map(\.value) ?? []) }
    }
}
