import Core
import Foundation
import NN

/// How far a submission's trajectory is from an optax reference.
public struct ConformanceResult: Sendable {
    /// The case file's name without extension.
    public let caseName: String
    /// Registry name of the submission run.
    public let submission: String
    /// Steps replayed.
    public let steps: Int
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

    /// Whether every compared coordinate is within the tolerance.
    public var passed: Bool { maxRelativeError <= tolerance }
}

/// Runs a submission's update rule on a case's recorded gradients and compares every
/// step with the reference trajectory.
///
/// The error of a coordinate is relative to the larger of its reference magnitude and
/// the RMS of its tensor at that step: a coordinate crossing zero is then judged against
/// the scale of its tensor, where a float32 rounding of the update is about 1e-7, rather
/// than against its own vanishing value. A case passes when the largest such error is at
/// most the submission's `conformanceTolerance` (1e-5 unless the submission says why not).
public enum ConformanceRunner {
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
        guard let conformant = found as? any OptaxConformant.Type else {
            throw InputError(
                source: testCase.source, field: "optimizer",
                message: "submission '\(found.name)' has no optax mapping (it does not adopt OptaxConformant)")
        }
        return try run(testCase, as: conformant, tolerance: tolerance)
    }

    /// Runs `testCase` with submission `S`, at a constant learning rate.
    public static func run<S: OptaxConformant>(_ testCase: ConformanceCase, as submission: S.Type, tolerance: Double? = nil) throws -> ConformanceResult {
        guard testCase.reference == S.optaxReference else {
            throw InputError(
                source: testCase.source, field: "reference",
                message: "is '\(testCase.reference)', but submission '\(S.name)' reproduces '\(S.optaxReference)'")
        }
        var arguments = OptaxArguments(testCase.arguments, source: testCase.source)
        let mapped = try S.conformanceHyperparameters(optaxArguments: &arguments)
        try arguments.finish(submission: S.name)
        let hyperparameters = mapped.merging(Hyperparameters(["warmup_fraction": 0, "min_lr_factor": 1]))

        let workload = ReplayWorkload(name: "conformance:\(testCase.name)", layout: testCase.layout, gradients: testCase.gradients)
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        let budget = Budget(maxRuntimeSeconds: .infinity, stepHint: testCase.steps)
        var instance = try S(info: workload.info, hyperparameters: hyperparameters, budget: budget)
        var parameters = ParameterSet(layout: testCase.layout, values: testCase.initial)

        var errors = ErrorTally()
        for t in 0..<testCase.steps {
            oracle.drawBatch()
            try instance.step(&parameters, oracle: oracle, context: StepContext(
                step: t, stepHint: testCase.steps, submissionTime: 0, lastEvaluation: nil))
            errors.compare(parameters, testCase.trajectory[t], label: "step \(t)")
        }
        if let expected = testCase.evaluationParameters {
            errors.compare(instance.parametersForEvaluation(parameters), expected, label: "eval")
        }
        return ConformanceResult(
            caseName: testCase.name, submission: S.name, steps: testCase.steps,
            maxAbsoluteError: errors.maxAbsolute, maxRelativeError: errors.maxRelative,
            tolerance: tolerance ?? S.conformanceTolerance, worstLocation: errors.worst,
            checkedEvaluationParameters: testCase.evaluationParameters != nil)
    }
}

/// Running maxima of absolute and scale-relative errors.
private struct ErrorTally {
    var maxAbsolute = 0.0
    var maxRelative = 0.0
    var worst = "none"

    mutating func compare(_ actual: ParameterSet, _ expected: [Float], label: String) {
        for view in actual.views {
            var sumOfSquares = 0.0
            for i in view.range { sumOfSquares += Double(expected[i]) * Double(expected[i]) }
            let scale = (sumOfSquares / Double(view.count)).squareRoot()
            for i in view.range {
                let reference = Double(expected[i])
                let absolute = abs(Double(actual.values[i]) - reference)
                let relative = absolute.isNaN ? Double.infinity : absolute / max(abs(reference), scale, .leastNormalMagnitude)
                maxAbsolute = max(maxAbsolute, absolute.isNaN ? .infinity : absolute)
                if relative > maxRelative {
                    maxRelative = relative
                    worst = "\(label) \(view.name)[\(i - view.offset)]"
                }
            }
        }
    }
}
