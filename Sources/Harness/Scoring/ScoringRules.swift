import Core

/// Which benchmark's rules turn trials into scores. Both share the measures, the median
/// over studies and r_max = 4; they differ where AlgoPerf's scoring code differs from this
/// project's (the README's rules table lists every rule and why the default differs).
public enum ScoringRules: Sendable, Equatable {
    /// This project's rules (the default): a study's best trial is its fastest; a study
    /// with no trial counts as a miss; a base workload is gated by its held-out variants;
    /// ρ's denominator is the number of base workloads with trials; the area under ρ is
    /// integrated exactly.
    case optbench
    /// AlgoPerf v0.6's rules as its scoring code (`scoring/performance_profile.py` at
    /// mlcommons/algorithmic-efficiency 2c90454) applies them: a study's best trial is
    /// the one meeting the target at the smallest evaluation *index* (ties: the first
    /// trial); studies without trials are dropped from the median; held-out variants are
    /// ignored; values above 4 × the best become ∞ before dividing by the best; ρ's
    /// denominator is the fixed `workloadCount`; the area is a trapezoid over 100 evenly
    /// spaced τ in [1, 4], divided by 3.
    case algoPerf06(workloadCount: Int)

    /// AlgoPerf v0.6's number of base workloads (its `NUM_BASE_WORKLOADS`).
    public static let algoPerf06WorkloadCount = 8
    /// τ points of AlgoPerf's integration (`num_points` in `score_submissions.py`).
    public static let algoPerfTauPoints = 100

    /// The names `--rules` takes.
    public static let names = ["optbench", "algoperf-0.6"]

    /// The command-line name.
    public var name: String {
        switch self {
        case .optbench: "optbench"
        case .algoPerf06: "algoperf-0.6"
        }
    }

    /// Parses `--rules`; `workloadCount` is ρ's denominator under AlgoPerf's rules (its
    /// v0.6 count when nil) and must be nil under this project's.
    public static func named(_ name: String, workloadCount: Int?) throws -> ScoringRules {
        switch name {
        case "optbench":
            if workloadCount != nil {
                throw InputError(source: "--workload-count", field: nil, message: "applies only to --rules algoperf-0.6 (this project's rules count the workloads scored)")
            }
            return .optbench
        case "algoperf-0.6":
            let count = workloadCount ?? algoPerf06WorkloadCount
            guard count >= 1 else {
                throw InputError(source: "--workload-count", field: nil, message: "must be at least 1, got \(count)")
            }
            return .algoPerf06(workloadCount: count)
        default:
            throw InputError(source: "--rules", field: nil, message: "unknown rules \(PlainName.escaped(name)) (valid: \(names.joined(separator: ", ")))")
        }
    }
}
