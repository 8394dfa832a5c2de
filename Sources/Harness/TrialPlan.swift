import Core
import Results
import Foundation
import Submissions
import Tensor
import Workloads

/// The trials a suite run consists of: workloads × submissions × studies × trials under
/// one ruleset, with hyperparameters and seeds derived reproducibly from the suite seed.
public enum TrialPlan {
    /// Every job of a run. Workloads are the profile's, plus their variants when the profile
    /// includes them; `workloadNames`, when given, are taken exactly as named (a variant is
    /// run by naming it). Submissions are `submissionNames`
    /// (bilevel solvers only on bilevel workloads, see `runs(_:on:)`).
    ///
    /// External tuning: each (workload, submission, study) draws its own `profile.trials`
    /// points from the submission's search space with a scrambled Halton sequence seeded by
    /// `StableHash.seed("halton", suiteSeed, workload, submission, study)`; fixed-point
    /// spaces take their first `profile.trials` points in order (fewer when the list is
    /// shorter). Drawn values override the submission's defaults, so hyperparameters outside
    /// the search space keep their default values. Self-tuning: one trial per study with
    /// the defaults and the budget scaled by `Ruleset.selfTuningBudgetFactor`.
    /// Trial seeds are `StableHash.seed("trial", suiteSeed, workload, submission, study, trial)`.
    /// `searchSpaces` replaces, by submission name, a submission's own search space
    /// (`optbench run --search-space`).
    public static func jobs(
        catalog: SpecCatalog, profile: Profile, ruleset: Ruleset, submissionNames: [String],
        workloadNames: [String]? = nil, suiteSeed: Int, searchSpaces: [String: SearchSpace] = [:]
    ) throws -> [TrialJob] {
        let specs = try selectedSpecs(catalog: catalog, profile: profile, workloadNames: workloadNames)
        let submissions = try submissionNames.map { try SubmissionRegistry.submission(named: $0) }
        var jobs: [TrialJob] = []
        for spec in specs {
            for submission in submissions where runs(submission, on: spec) {
                for study in 0..<profile.studies {
                    let points = try hyperparameters(
                        for: submission, ruleset: ruleset, trials: profile.trials, space: searchSpaces[submission.name],
                        seed: StableHash.seed("halton", .integer(suiteSeed), .text(spec.name), .text(submission.name), .integer(study)))
                    for (trial, point) in points.enumerated() {
                        let key = TrialKey(
                            submission: submission.name, workload: spec.name, ruleset: ruleset.rawValue, study: study, trial: trial)
                        let seed = StableHash.seed(
                            "trial", .integer(suiteSeed), .text(spec.name), .text(submission.name), .integer(study), .integer(trial))
                        let request = TrialRequest(
                            key: key, hyperparameters: point, seed: seed,
                            budgetScale: profile.budgetScale * ruleset.budgetFactor)
                        jobs.append(TrialJob(request: request, spec: spec))
                    }
                }
            }
        }
        return jobs
    }

    /// Whether a suite runs `submission` on `spec`: bilevel solvers only where the workload
    /// offers a bilevel oracle, every other submission everywhere.
    public static func runs(_ submission: any Submission.Type, on spec: WorkloadSpec) -> Bool {
        !(submission is any BilevelSolver.Type) || WorkloadRegistry.bilevelNames.contains(spec.baseName)
    }

    /// The hyperparameters of one study's trials, drawn from `space` when given, else from
    /// the submission's own search space.
    public static func hyperparameters(
        for submission: any Submission.Type, ruleset: Ruleset, trials: Int, space: SearchSpace? = nil, seed: UInt64
    ) throws -> [Hyperparameters] {
        let defaults = submission.defaultHyperparameters
        switch ruleset {
        case .selfTuning:
            return [defaults]
        case .external:
            return draw(space ?? submission.searchSpace, count: trials, seed: seed).map { defaults.merging($0) }
        }
    }

    /// `count` points of `space`: scrambled-Halton draws for dimension spaces, the first
    /// `count` entries for fixed-point lists.
    public static func draw(_ space: SearchSpace, count: Int, seed: UInt64) -> [Hyperparameters] {
        switch space.form {
        case .fixedPoints(let points):
            return Array(points.prefix(count))
        case .dimensions(let dimensions):
            let names = dimensions.keys.sorted()
            let sequence = ScrambledHalton(dimensions: names.count, seed: seed)
            return (0..<count).map { index in
                let unit = sequence.point(index)
                var values: [String: Double] = [:]
                for (name, u) in zip(names, unit) {
                    values[name] = value(of: dimensions[name] ?? .feasiblePoints([0]), at: u)
                }
                return Hyperparameters(values)
            }
        }
    }

    /// Maps a unit coordinate onto a dimension: linear or log-linear interpolation for
    /// ranges, equal-width bins for feasible points.
    public static func value(of dimension: SearchSpace.Dimension, at u: Double) -> Double {
        switch dimension {
        case .range(let low, let high, .linear):
            return low + u * (high - low)
        case .range(let low, let high, .log):
            return exp(log(low) + u * (log(high) - log(low)))
        case .feasiblePoints(let values):
            return values[min(values.count - 1, Int(u * Double(values.count)))]
        }
    }

    private static func selectedSpecs(catalog: SpecCatalog, profile: Profile, workloadNames: [String]?) throws -> [WorkloadSpec] {
        let names = workloadNames ?? (profile.workloads.isEmpty ? catalog.baseNames : profile.workloads)
        var specs: [WorkloadSpec] = []
        for name in names {
            let spec = try catalog.spec(named: name)
            specs.append(spec)
            if profile.includeVariants, workloadNames == nil { specs.append(contentsOf: spec.variants) }
        }
        return specs
    }
}
