import Core
import Foundation

/// Column names of a trial's `evals` group, in table order.
public enum EvaluationColumn {
    public static let all = [
        "step", "submission_time", "wall_time", "examples", "grad_evals", "hvp_evals", "fn_evals",
        "train_loss", "validation_metric", "test_metric",
    ]
}

extension TrialRecord {
    /// Writes the trial's attributes, its provenance, `evals` and `train_loss` into `group`
    /// (the trial's own group, `/trials/<ruleset>/<submission>/<workload>/study_<k>/trial_<i>`).
    func write(to group: HDF5Group, provenance: Provenance) throws {
        try group.setAttribute("hyperparameters", Self.json(hyperparameters))
        try group.setAttribute("seed", seed)
        try group.setAttribute("status", status.rawValue)
        try group.setAttribute("message", message)
        try group.setAttribute("time_to_target", timeToTarget ?? .nan)
        try group.setAttribute("steps_to_target", stepsToTarget ?? -1)
        try group.setAttribute("oracle_calls_to_target", oracleCallsToTarget ?? -1)
        try group.setAttribute("state_bytes", stateBytes ?? -1)
        try group.setAttribute("peak_resident_bytes", peakResidentBytes ?? -1)
        try group.setAttribute("budget_scale", budgetScale)
        try group.setAttribute("max_steps", maximumSteps ?? -1)
        try group.setAttribute("eval_every_steps", evalEverySteps ?? -1)
        try group.setAttribute("stop_at_target", stopAtTarget ? 1 : 0)
        try group.setAttribute("history", JSONValue.array(history.map { .string($0) }).serialized)
        try group.setAttribute("snapshot_ratio", snapshotRatio ?? .nan)
        try provenance.write(to: group.createGroup(ResultsLayout.provenanceGroup))

        let evals = try group.createGroup(ResultsLayout.evaluationsGroup)
        try evals.writeDataset("step", evaluations.map(\.step))
        try evals.writeDataset("submission_time", evaluations.map(\.submissionTime))
        try evals.writeDataset("wall_time", evaluations.map(\.wallTime))
        try evals.writeDataset("examples", evaluations.map { $0.examples ?? -1 })
        try evals.writeDataset("grad_evals", evaluations.map { $0.gradientEvaluations ?? -1 })
        try evals.writeDataset("hvp_evals", evaluations.map { $0.hessianVectorProducts ?? -1 })
        try evals.writeDataset("fn_evals", evaluations.map { $0.functionEvaluations ?? -1 })
        try evals.writeDataset("train_loss", evaluations.map(\.trainLoss))
        try evals.writeDataset("validation_metric", evaluations.map(\.validationMetric))
        try evals.writeDataset("test_metric", evaluations.map(\.testMetric))

        let trainLoss = try group.createGroup(ResultsLayout.trainLossGroup)
        try trainLoss.writeDataset("step", trainLossSteps)
        try trainLoss.writeDataset("loss", trainLossValues)
    }

    /// Reads a trial group written by `write(to:provenance:)`; `key` and `workload` come
    /// from the group's place in the file.
    static func read(from group: HDF5Group, key: TrialKey, workload: WorkloadRecord) throws -> (TrialRecord, Provenance) {
        let statusText = try group.stringAttribute("status")
        guard let status = TrialStatus(rawValue: statusText) else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "attribute 'status' must be one of \(TrialStatus.allCases.map(\.rawValue).joined(separator: ", ")), found \(PlainName.escaped(statusText))")
        }
        let time = try group.doubleAttribute("time_to_target")
        let record = TrialRecord(
            key: key, workload: workload, hyperparameters: try hyperparameters(in: group), seed: try group.uint64Attribute("seed"),
            status: status, message: try group.stringAttribute("message"), timeToTarget: time.isNaN ? nil : time,
            stepsToTarget: try optionalCount("steps_to_target", in: group),
            oracleCallsToTarget: try optionalCount("oracle_calls_to_target", in: group),
            stateBytes: try optionalCount("state_bytes", in: group, absence: "not recorded"),
            peakResidentBytes: try optionalCount("peak_resident_bytes", in: group, absence: "not recorded"),
            evaluations: try evaluations(in: group.openGroup(ResultsLayout.evaluationsGroup)),
            trainLossSteps: [], trainLossValues: [], budgetScale: try group.doubleAttribute("budget_scale"))
        let trainLoss = try group.openGroup(ResultsLayout.trainLossGroup)
        let steps = try trainLoss.intDataset("step")
        let losses = try trainLoss.floatDataset("loss")
        guard steps.count == losses.count else {
            throw HDF5Error(
                file: group.file.path, object: trainLoss.path,
                message: "datasets 'step' (\(steps.count)) and 'loss' (\(losses.count)) differ in length")
        }
        var complete = record
        complete.trainLossSteps = steps
        complete.trainLossValues = losses
        complete.maximumSteps = try optionalPositiveCount("max_steps", in: group)
        complete.evalEverySteps = try optionalPositiveCount("eval_every_steps", in: group)
        complete.stopAtTarget = try stopAtTarget(in: group)
        complete.history = try history(in: group)
        complete.snapshotRatio = try snapshotRatio(in: group)
        let provenance = try Provenance(readingFrom: group.openGroup(ResultsLayout.provenanceGroup))
        return (complete, provenance)
    }

    /// Compact JSON with sorted keys; non-finite values are written as null (read back as NaN).
    static func json(_ hyperparameters: Hyperparameters) -> String {
        JSONValue.object(hyperparameters.values.mapValues { .number($0) }).serialized
    }

    /// Parses the `hyperparameters` attribute with `JSONDecoder`, which rounds decimal
    /// numbers correctly (Foundation's `JSONSerialization` on Linux does not, so values
    /// such as 3.0000000000000004e-08 would come back changed).
    private static func hyperparameters(in group: HDF5Group) throws -> Hyperparameters {
        let text = try group.stringAttribute("hyperparameters")
        do {
            let values = try JSONDecoder().decode([String: Double?].self, from: Data(text.utf8))
            if let bad = values.keys.sorted().first(where: { !PlainName.isValid($0) }) {
                throw HDF5Error(
                    file: group.file.path, object: group.path,
                    message: "attribute 'hyperparameters' names \(PlainName.escaped(bad)), not a plain name (\(PlainName.ruleDescription))")
            }
            return Hyperparameters(values.mapValues { $0 ?? .nan })
        } catch let error as HDF5Error {
            throw error
        } catch {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "attribute 'hyperparameters' must be a JSON object of numbers, found \(PlainName.escaped(text))")
        }
    }

    /// A count stored with -1 meaning "not reached" (or `absence`).
    private static func optionalCount(_ name: String, in group: HDF5Group, absence: String = "not reached") throws -> Int? {
        let value = try group.intAttribute(name)
        guard value >= -1, value <= countLimit else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "attribute '\(name)' must be -1 (\(absence)) or a count in 0...\(countLimit), found \(value)")
        }
        return value == -1 ? nil : value
    }

    /// A step count stored with -1 meaning "none"; nil too when the attribute is absent
    /// (files written before it existed).
    private static func optionalPositiveCount(_ name: String, in group: HDF5Group) throws -> Int? {
        guard try group.hasAttribute(name) else { return nil }
        let value = try group.intAttribute(name)
        guard value == -1 || value >= 1 else {
            throw HDF5Error(file: group.file.path, object: group.path, message: "attribute '\(name)' must be -1 or a positive count, found \(value)")
        }
        return value == -1 ? nil : value
    }

    /// `stop_at_target`: 1 or 0; true when absent (files written before it existed).
    private static func stopAtTarget(in group: HDF5Group) throws -> Bool {
        guard try group.hasAttribute("stop_at_target") else { return true }
        let value = try group.intAttribute("stop_at_target")
        guard value == 0 || value == 1 else {
            throw HDF5Error(file: group.file.path, object: group.path, message: "attribute 'stop_at_target' must be 0 or 1, found \(value)")
        }
        return value == 1
    }

    /// `snapshot_ratio`: NaN (periodic evaluations only) or a finite ratio above 1; nil
    /// too when absent (files written before it existed).
    private static func snapshotRatio(in group: HDF5Group) throws -> Double? {
        guard try group.hasAttribute("snapshot_ratio") else { return nil }
        let value = try group.doubleAttribute("snapshot_ratio")
        if value.isNaN { return nil }
        guard value.isFinite, value > 1 else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "attribute 'snapshot_ratio' must be NaN (no snapshots) or a finite ratio above 1, found \(value)")
        }
        return value
    }

    /// `history`: a JSON array of strings; empty when absent (files written before it existed).
    private static func history(in group: HDF5Group) throws -> [String] {
        guard try group.hasAttribute("history") else { return [] }
        let text = try group.stringAttribute("history")
        guard let value = try? JSONValue.parse(Data(text.utf8), source: "history"), case .array(let items) = value else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "attribute 'history' must be a JSON array of strings, found \(PlainName.escaped(text))")
        }
        return try items.map { item in
            guard case .string(let entry) = item else {
                throw HDF5Error(
                    file: group.file.path, object: group.path,
                    message: "attribute 'history' must be a JSON array of strings, found an element of type \(item.typeName)")
            }
            return entry
        }
    }

    private static func evaluations(in evals: HDF5Group) throws -> [EvaluationRow] {
        let step = try evals.intDataset("step")
        let submissionTime = try evals.doubleDataset("submission_time")
        let wallTime = try evals.doubleDataset("wall_time")
        let examples = try evals.intDataset("examples")
        let gradients = try evals.intDataset("grad_evals")
        let hvps = try evals.intDataset("hvp_evals")
        let functions = try evals.intDataset("fn_evals")
        let trainLoss = try evals.doubleDataset("train_loss")
        let validation = try evals.doubleDataset("validation_metric")
        let test = try evals.doubleDataset("test_metric")
        let lengths = [
            step.count, submissionTime.count, wallTime.count, examples.count, gradients.count, hvps.count,
            functions.count, trainLoss.count, validation.count, test.count,
        ]
        guard Set(lengths).count == 1 else {
            let listing = zip(EvaluationColumn.all, lengths).map { "\($0) \($1)" }.joined(separator: ", ")
            throw HDF5Error(file: evals.file.path, object: evals.path, message: "columns differ in length (\(listing))")
        }
        if let bad = step.first(where: { !(0...TrialRecord.countLimit).contains($0) }) {
            throw HDF5Error(
                file: evals.file.path, object: evals.childPath("step"), message: "holds \(bad), expected a count in 0...\(TrialRecord.countLimit)")
        }
        for (column, values) in [("examples", examples), ("grad_evals", gradients), ("hvp_evals", hvps), ("fn_evals", functions)] {
            if let bad = values.first(where: { !(-1...TrialRecord.countLimit).contains($0) }) {
                throw HDF5Error(
                    file: evals.file.path, object: evals.childPath(column),
                    message: "holds \(bad), expected -1 (not recorded) or a count in 0...\(TrialRecord.countLimit)")
            }
        }
        return step.indices.map { i in
            var row = EvaluationRow(
                step: step[i], submissionTime: submissionTime[i], wallTime: wallTime[i], counts: nil,
                metrics: Metrics(trainLoss: trainLoss[i], validationMetric: validation[i], testMetric: test[i]))
            row.examples = TrialRecord.recorded(examples[i])
            row.gradientEvaluations = TrialRecord.recorded(gradients[i])
            row.hessianVectorProducts = TrialRecord.recorded(hvps[i])
            row.functionEvaluations = TrialRecord.recorded(functions[i])
            return row
        }
    }
}
