import Core

/// What `optbench verify-jobshop` checks and prints: the stored benchmark file re-read and
/// re-checked (its SHA-256 against the spec, every stated optimum against its own bounds
/// and the instance's trivial lower bound), then the mean optimality gap of each classical
/// `DispatchingRule` on every evaluation set of the spec and its variants, every schedule
/// passing the exact `ScheduleChecker` and none shorter than its instance's stated optimum
/// (a shorter one would prove the optimum wrong).
public struct RuleBaselines: Sendable {
    /// One named evaluation set of a spec.
    public struct EvaluationSet: Sendable {
        /// `<workload> validation` or `<workload> test`.
        public let label: String
        public let names: [String]
        /// Mean optimality gap per rule, in `DispatchingRule.allCases` order.
        public let gaps: [Double]
    }

    public let path: String
    public let sha256: String
    public let instanceCount: Int
    public let provenOptima: Int
    public let sets: [EvaluationSet]

    /// Checks the reference file of `spec` (and of its variants, which must name the same
    /// file) and measures the rules on their validation and test sets.
    public static func measure(spec: WorkloadSpec) throws -> RuleBaselines {
        let settings = try JobShopSettings(spec: spec)
        let path = JobShopWorkload.referencePath(spec: spec, settings: settings)
        let benchmarks = try BenchmarkInstances.load(contentsOf: path, expectedSHA256: settings.referenceSHA256)
        var sets: [EvaluationSet] = []
        for workload in [spec] + spec.variants {
            let s = try JobShopSettings(spec: workload)
            guard JobShopWorkload.referencePath(spec: workload, settings: s) == path, s.referenceSHA256 == settings.referenceSHA256 else {
                throw InputError(source: spec.source, field: "variants[\(workload.name)].settings.reference_file", message: "must name the base workload's reference file for verify-jobshop")
            }
            for (split, names) in [("validation", s.validationInstances), ("test", s.testInstances)] {
                let proven = try benchmarks.provenInstances(names, source: spec.source, field: "\(split)_instances")
                let gaps = try DispatchingRule.allCases.map { rule in
                    let makespans = try proven.map { entry in
                        let makespan = try ScheduleChecker.makespan(of: rule.schedule(entry.instance), on: entry.instance)
                        guard makespan >= entry.optimum else {
                            throw InputError(source: path, field: "\(entry.instance.name).metadata.optimum",
                                             message: "is \(entry.optimum), but rule \(rule.rawValue) built a feasible schedule of makespan \(makespan)")
                        }
                        return Double(makespan)
                    }
                    return OptimalityGap.mean(costs: makespans, optima: proven.map { Double($0.optimum) })
                }
                sets.append(EvaluationSet(label: "\(workload.name) \(split)", names: names, gaps: gaps))
            }
        }
        return RuleBaselines(
            path: path, sha256: benchmarks.sha256, instanceCount: benchmarks.instances.count,
            provenOptima: benchmarks.instances.values.filter { $0.optimum != nil }.count, sets: sets)
    }
}
