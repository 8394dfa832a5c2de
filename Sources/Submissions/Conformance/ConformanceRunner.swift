import Core
import Foundation
import NN

/// How far a submission's trajectory is from a reference (optax, or the authors' code).
public struct ConformanceResult: Sendable {
    /// The case file's name without extension.
    public let caseName: String
    /// Registry name of the submission run.
    public let submission: String
    /// The reference the case was made with, e.g. `optax.adamw` or `galore_torch.GaLoreAdamW`.
    public let reference: String
    /// The reference's package and version, when the case records it.
    public let referenceVersion: String?
    /// Steps replayed (0 for a retired case).
    public let steps: Int
    /// Steps whose every coordinate is within the tolerance.
    public let stepsMatched: Int
    /// Largest |θ − θ_ref| over every step and coordinate (and the evaluation
    /// parameters, when the case records them).
    public let maxAbsoluteError: Double
    /// Largest |θ − θ_ref| / max(|θ_ref|, rms(θ_ref of that tensor)).
    public let maxRelativeError: Double
    /// The largest relative error accepted (the submission's, unless overridden).
    public let tolerance: Double
    /// Where the largest relative error sits: "step 3 dense.weight[17]" or "eval …".
    public let worstLocation: String
    /// Whether the case's evaluation parameters were compared too.
    public let checkedEvaluationParameters: Bool
    /// Pass, declared deviation, failure or retired.
    public let status: ConformanceStatus
    /// SHA-256 (hex) of the bits of every parameter after every step, then of the
    /// evaluation parameters when the case records them; empty for a retired case. Equal
    /// digests before and after a refactor prove the update rule did not change a bit.
    public var trajectoryDigest: String = ""

    /// Whether every compared coordinate is within the tolerance.
    public var passed: Bool { status == .pass }
}

/// Runs a submission's update rule on a case's recorded gradients and compares every
/// step with the reference trajectory.
///
/// The error of a coordinate is relative to the larger of its reference magnitude and
/// the RMS of its tensor at that step: a coordinate crossing zero is then judged against
/// the scale of its tensor, where a float32 rounding of the update is about 1e-7, rather
/// than against its own vanishing value. A case passes when the largest such error is at
/// most the submission's `conformanceTolerance` (1e-5 unless the submission says why not).
/// A case outside the tolerance is a declared deviation when the submission declares it
/// (`ConformanceDeviating`) and the error is within the declared bound, else a failure.
///
/// Optax cases are mapped through the submission's `OptaxConformant` mapping. Reference
/// cases (made with the authors' code) give the submission's own `hyperparameters`, run
/// with `warmup_fraction = 0` and `min_lr_factor = 1`; their recorded losses, training-set
/// size and Hessian diagonals are served by `ReplayWorkload`, and their `param_groups`
/// must be the grouping the submission makes itself (else the case says why it cannot run).
public enum ConformanceRunner {
    /// Cases that no longer describe their submission's rule, by `reference`, with why.
    /// They are reported as retired and not run.
    public static let retiredReferences: [String: String] = [
        "optax.adan": "optax's adan weights the gradient difference by (1 − β₂) in g + (1 − β₂)Δ and "
            + "m̂ + (1 − β₂)v̂; the paper's Algorithm 1 and the authors' code (sail-sg/Adan) weight it by β₂ "
            + "(0.92), which the submission follows and reference/adan.json checks. No hyperparameter "
            + "mapping expresses optax's rule, since β₂ also sets the EMA of v.",
    ]

    /// The case files (`*.json`) of a directory, sorted by name, loaded and validated.
    public static func loadCases(directory: String) throws -> [ConformanceCase] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw InputError(source: directory, field: nil, message: "cannot be listed as a directory of conformance cases")
        }
        let files = names.filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else {
            throw InputError(source: directory, field: nil, message: "holds no conformance cases (*.json)")
        }
        return try files.map { try ConformanceCase.load(contentsOf: (directory as NSString).appendingPathComponent($0)) }
    }

    /// Runs `testCase` against the registered submission named by its `optimizer` field.
    public static func run(
        _ testCase: ConformanceCase, submissions: [any Submission.Type] = SubmissionRegistry.all, tolerance: Double? = nil
    ) throws -> ConformanceResult {
        guard let found = submissions.first(where: { $0.name == testCase.optimizer }) else {
            throw InputError(
                source: testCase.source, field: "optimizer",
                message: "names no registered submission: '\(testCase.optimizer)' (registered: \(submissions.map { $0.name }.joined(separator: ", ")))")
        }
        if let reason = retiredReferences[testCase.reference], !testCase.isReferenceCase {
            return ConformanceResult(
                caseName: testCase.name, submission: found.name, reference: testCase.reference,
                referenceVersion: testCase.referenceVersion, steps: 0, stepsMatched: 0, maxAbsoluteError: 0,
                maxRelativeError: 0, tolerance: tolerance ?? 1e-5, worstLocation: "-",
                checkedEvaluationParameters: false, status: .retired(reason: reason))
        }
        if testCase.isReferenceCase { return try runReference(testCase, as: found, tolerance: tolerance) }
        guard let conformant = found as? any OptaxConformant.Type else {
            throw InputError(
                source: testCase.source, field: "optimizer",
                message: "submission '\(found.name)' has no optax mapping (it does not adopt OptaxConformant)")
        }
        return try run(testCase, as: conformant, tolerance: tolerance)
    }

    /// Runs the optax case `testCase` with submission `S`, at a constant learning rate.
    public static func run<S: OptaxConformant>(_ testCase: ConformanceCase, as submission: S.Type, tolerance: Double? = nil) throws -> ConformanceResult {
        guard testCase.reference == S.optaxReference else {
            throw InputError(
                source: testCase.source, field: "reference",
                message: "is '\(testCase.reference)', but submission '\(S.name)' reproduces '\(S.optaxReference)'")
        }
        var arguments = OptaxArguments(testCase.arguments, source: testCase.source)
        let mapped = try S.conformanceHyperparameters(optaxArguments: &arguments)
        try arguments.finish(submission: S.name)
        return try replay(testCase, as: S.self, hyperparameters: mapped, tolerance: tolerance ?? S.conformanceTolerance)
    }

    /// Runs the reference case `testCase` (made with the authors' code) with submission `S`,
    /// using the case's own hyperparameters.
    public static func runReference<S: Submission>(_ testCase: ConformanceCase, as submission: S.Type, tolerance: Double? = nil) throws -> ConformanceResult {
        guard let hyperparameters = testCase.hyperparameters else {
            throw InputError(source: testCase.source, field: "hyperparameters", message: "is required for a case made with the authors' code")
        }
        if let groups = testCase.parameterGroups {
            let check = (S.self as? any ParameterGroupConformant.Type)?.checkParameterGroups ?? defaultParameterGroupCheck
            if let reason = check(groups, testCase.layout) {
                throw InputError(
                    source: testCase.source, field: "param_groups",
                    message: "cannot be taken by submission '\(S.name)': \(reason)")
            }
        }
        let conformantTolerance = (S.self as? any OptaxConformant.Type)?.conformanceTolerance ?? 1e-5
        return try replay(testCase, as: S.self, hyperparameters: hyperparameters, tolerance: tolerance ?? conformantTolerance)
    }

    /// The grouping every matrix-aware submission makes by itself: rank-≥2 tensors are
    /// matrices, the others vectors; a reference group must not mix the two, and no tensor
    /// may sit in two groups. Returns why the grouping cannot be taken, or `nil`.
    public static func defaultParameterGroupCheck(_ groups: [ConformanceParameterGroup], layout: ParameterLayout) -> String? {
        var seen: Set<String> = []
        let rank = Dictionary(uniqueKeysWithValues: layout.views.map { ($0.name, $0.shape.count) })
        for group in groups {
            guard group.role == "params" else { return "group role '\(group.role)' has no equivalent setting" }
            let kinds = Set(group.names.map { (rank[$0] ?? 0) >= 2 })
            if kinds.count > 1 { return "group \(group.names) mixes matrices and vectors, which the submission always treats apart" }
            for name in group.names where !seen.insert(name).inserted { return "tensor '\(name)' is in two groups" }
        }
        return nil
    }

    /// Replays the case through `S.step` at a constant learning rate and compares.
    static func replay<S: Submission>(
        _ testCase: ConformanceCase, as submission: S.Type, hyperparameters mapped: Hyperparameters, tolerance: Double
    ) throws -> ConformanceResult {
        let hyperparameters = mapped.merging(Hyperparameters(["warmup_fraction": 0, "min_lr_factor": 1]))
        let workload = ReplayWorkload(
            name: "conformance:\(testCase.name)", layout: testCase.layout, gradients: testCase.gradients,
            losses: testCase.losses, hessianDiagonals: testCase.hessianDiagonals, trainingExamples: testCase.trainingExamples)
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        let budget = Budget(maxRuntimeSeconds: .infinity, stepHint: testCase.steps)
        var instance = try S(info: workload.info, hyperparameters: hyperparameters, budget: budget)
        var parameters = ParameterSet(layout: testCase.layout, values: testCase.initial)

        var errors = ErrorTally()
        var stepsMatched = 0
        var trajectoryBits: [UInt8] = []
        for t in 0..<testCase.steps {
            oracle.drawBatch()
            try instance.step(&parameters, oracle: oracle, context: StepContext(
                step: t, stepHint: testCase.steps, submissionTime: 0, lastEvaluation: nil))
            if errors.compare(parameters, testCase.trajectory[t], label: "step \(t)") <= tolerance { stepsMatched += 1 }
            appendBits(of: parameters.values, to: &trajectoryBits)
        }
        if let expected = testCase.evaluationParameters {
            let evaluated = instance.parametersForEvaluation(parameters)
            errors.compare(evaluated, expected, label: "eval")
            appendBits(of: evaluated.values, to: &trajectoryBits)
        }
        var status = ConformanceStatus.pass
        if !(errors.maxRelative <= tolerance) {
            let declared = (S.self as? any ConformanceDeviating.Type)?.conformanceDeviations.first {
                $0.caseName == testCase.name && $0.reference == testCase.reference
            }
            if let declared, errors.maxRelative <= declared.acceptedError {
                status = .declaredDeviation(declared)
            } else {
                status = .fail
            }
        }
        return ConformanceResult(
            caseName: testCase.name, submission: S.name, reference: testCase.reference,
            referenceVersion: testCase.referenceVersion, steps: testCase.steps, stepsMatched: stepsMatched,
            maxAbsoluteError: errors.maxAbsolute, maxRelativeError: errors.maxRelative,
            tolerance: tolerance, worstLocation: errors.worst,
            checkedEvaluationParameters: testCase.evaluationParameters != nil, status: status,
            trajectoryDigest: SHA256.hexDigest(trajectoryBits))
    }

    /// Appends each value's IEEE bit pattern, little-endian, so the digest sees every bit.
    private static func appendBits(of values: [Float], to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for value in values {
            let bits = value.bitPattern
            bytes.append(contentsOf: [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                                      UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)])
        }
    }
}

/// A submission whose parameter grouping differs from the default (rank-≥2 tensors as
/// matrices, the rest as vectors) and checks a reference's `param_groups` itself.
public protocol ParameterGroupConformant: Submission {
    /// Why the submission cannot take `groups` on `layout`, or `nil` when its own grouping
    /// is the same.
    static func checkParameterGroups(_ groups: [ConformanceParameterGroup], layout: ParameterLayout) -> String?
}

/// Running maxima of absolute and scale-relative errors.
private struct ErrorTally {
    var maxAbsolute = 0.0
    var maxRelative = 0.0
    var worst = "none"

    /// Compares one step; returns that step's largest relative error.
    @discardableResult
    mutating func compare(_ actual: ParameterSet, _ expected: [Float], label: String) -> Double {
        var stepMaximum = 0.0
        for view in actual.views {
            var sumOfSquares = 0.0
            for i in view.range { sumOfSquares += Double(expected[i]) * Double(expected[i]) }
            let scale = (sumOfSquares / Double(view.count)).squareRoot()
            for i in view.range {
                let reference = Double(expected[i])
                let absolute = abs(Double(actual.values[i]) - reference)
                let relative = absolute.isNaN ? Double.infinity : absolute / max(abs(reference), scale, .leastNormalMagnitude)
                maxAbsolute = max(maxAbsolute, absolute.isNaN ? .infinity : absolute)
                stepMaximum = max(stepMaximum, relative)
                if relative > maxRelative {
                    maxRelative = relative
                    worst = "\(label) \(view.name)[\(i - view.offset)]"
                }
            }
        }
        return stepMaximum
    }
}
