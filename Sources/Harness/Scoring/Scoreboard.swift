import Core
import Results
import Tensor

/// The scores of one ruleset under one measure: per-workload values (median over studies
/// of each study's fastest trial), held-out gating, the performance profile, each
/// submission's benchmark score and a bootstrap interval over studies — under this
/// project's rules or AlgoPerf's (`ScoringRules`).
public struct Scoreboard: Sendable {
    public let ruleset: String
    public let measure: TargetMeasure
    public let rules: ScoringRules
    /// Submissions, sorted by name.
    public let submissions: [String]
    /// Base workloads (those scored), sorted.
    public let workloads: [String]
    /// Held-out variants by base workload.
    public let variants: [String: [String]]
    /// Study indices found in the trials.
    public let studies: [Int]
    /// `perStudy[s][w][k]`: best trial of study `studies[k]` (∞ when missed; when absent, ∞
    /// under this project's rules and NaN under AlgoPerf's), for base workloads and
    /// variants alike, keyed by workload name.
    public let perStudy: [[String: [Double]]]
    /// `values[s][w]`: median over studies for each base workload, before gating.
    public let values: [[Double]]
    /// `gatedValues[s][w]`: `values` with a base set to ∞ where a held-out variant missed
    /// (equal to `values` under AlgoPerf's rules, which ignore variants).
    public let gatedValues: [[Double]]
    /// The profile over `gatedValues`.
    public let profile: PerformanceProfile
    /// Benchmark scores, in `submissions` order.
    public let scores: [Double]
    /// 95% bootstrap intervals of the scores over studies (resampled jointly for all
    /// submissions and workloads); equal to the score when there is one study.
    public let intervals: [(low: Double, high: Double)]

    /// Scores `trials` (of any rulesets; only `ruleset`'s are used). Bootstrap draws are
    /// seeded, so the same trials give the same intervals.
    public init(
        trials allTrials: [TrialRecord], ruleset: String, measure: TargetMeasure,
        maximumRatio: Double = PerformanceProfile.defaultMaximumRatio, bootstrapSamples: Int = 1000, seed: UInt64 = 0,
        rules: ScoringRules = .optbench
    ) {
        let trials = allTrials.filter { $0.key.ruleset == ruleset }
        self.ruleset = ruleset
        self.measure = measure
        self.rules = rules
        submissions = Set(trials.map(\.key.submission)).sorted()
        workloads = Set(trials.filter { $0.workload.variantOf == nil }.map(\.key.workload)).sorted()
        var variants: [String: [String]] = [:]
        for trial in trials {
            if let base = trial.workload.variantOf, !(variants[base]?.contains(trial.key.workload) ?? false) {
                variants[base, default: []].append(trial.key.workload)
            }
        }
        self.variants = variants.mapValues { $0.sorted() }
        let studies = Set(trials.map(\.key.study)).sorted()
        self.studies = studies
        let allWorkloads = Set(trials.map(\.key.workload))
        var perStudy: [[String: [Double]]] = []
        for submission in submissions {
            var table: [String: [Double]] = [:]
            let own = trials.filter { $0.key.submission == submission }
            for workload in allWorkloads {
                let byStudy = Dictionary(grouping: own.filter { $0.key.workload == workload }, by: \.key.study)
                table[workload] = studies.map { Self.studyValue(byStudy[$0] ?? [], measure: measure, rules: rules) }
            }
            perStudy.append(table)
        }
        self.perStudy = perStudy
        let full = Self.evaluate(
            perStudy: perStudy, studyIndices: Array(studies.indices), workloads: workloads, variants: self.variants,
            submissions: submissions, maximumRatio: maximumRatio, rules: rules)
        values = full.values
        gatedValues = full.gated
        profile = full.profile
        scores = full.profile.scores
        intervals = Self.bootstrap(
            perStudy: perStudy, studyCount: studies.count, workloads: workloads, variants: self.variants,
            submissions: submissions, maximumRatio: maximumRatio, samples: bootstrapSamples, seed: seed,
            pointScores: full.profile.scores, rules: rules)
    }

    /// One study's value: its fastest trial under this project's rules (∞ with no trial);
    /// under AlgoPerf's, the trial meeting the target at the smallest evaluation index,
    /// trials taken in trial-number order (NaN with no trial: the study is absent).
    static func studyValue(_ trials: [TrialRecord], measure: TargetMeasure, rules: ScoringRules) -> Double {
        switch rules {
        case .optbench:
            return StudyAggregation.fastest(trials.map(measure.toTarget(of:)))
        case .algoPerf06:
            guard !trials.isEmpty else { return .nan }
            let reached = trials.sorted { $0.key.trial < $1.key.trial }.map { trial in
                TargetMeasure.firstReaching(in: trial).map { (index: $0.index, value: measure.value(at: $0.row)) }
            }
            return StudyAggregation.earliestByIndex(reached)?.value ?? .infinity
        }
    }

    /// Medians, gating and profile for one choice of studies (all of them, or a resample).
    static func evaluate(
        perStudy: [[String: [Double]]], studyIndices: [Int], workloads: [String], variants: [String: [String]],
        submissions: [String], maximumRatio: Double, rules: ScoringRules = .optbench
    ) -> (values: [[Double]], gated: [[Double]], profile: PerformanceProfile) {
        func medians(_ names: [String]) -> [[Double]] {
            perStudy.map { table in
                names.map { name in
                    let column = table[name] ?? []
                    let studies = studyIndices.map { $0 < column.count ? column[$0] : .infinity }
                    return rules == .optbench ? StudyAggregation.median(studies) : StudyAggregation.medianOfPresent(studies)
                }
            }
        }
        let values = medians(workloads)
        var gated = values
        for (w, base) in workloads.enumerated() where rules == .optbench {
            for variant in variants[base] ?? [] {
                let variantProfile = PerformanceProfile(
                    submissions: submissions, workloads: [variant], values: medians([variant]), maximumRatio: maximumRatio)
                for s in submissions.indices where !variantProfile.ratios[s][0].isFinite {
                    gated[s][w] = .infinity
                }
            }
        }
        let profile = PerformanceProfile(
            submissions: submissions, workloads: workloads, values: gated, maximumRatio: maximumRatio, rules: rules)
        return (values, gated, profile)
    }

    static func bootstrap(
        perStudy: [[String: [Double]]], studyCount: Int, workloads: [String], variants: [String: [String]],
        submissions: [String], maximumRatio: Double, samples: Int, seed: UInt64, pointScores: [Double],
        rules: ScoringRules = .optbench
    ) -> [(low: Double, high: Double)] {
        guard studyCount > 1, samples > 0 else { return pointScores.map { ($0, $0) } }
        var generator = RandomGenerator(seed: StableHash.seed("bootstrap", .integer(Int(truncatingIfNeeded: seed))))
        var draws = [[Double]](repeating: [], count: submissions.count)
        for _ in 0..<samples {
            let indices = (0..<studyCount).map { _ in generator.nextInt(below: studyCount) }
            let scores = evaluate(
                perStudy: perStudy, studyIndices: indices, workloads: workloads, variants: variants,
                submissions: submissions, maximumRatio: maximumRatio, rules: rules).profile.scores
            for s in scores.indices { draws[s].append(scores[s]) }
        }
        return draws.map { values in
            let sorted = values.sorted()
            return (percentile(sorted, 0.025), percentile(sorted, 0.975))
        }
    }

    /// Linear-interpolated percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = p * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
