import Core
import Foundation
import Results

/// Reads AlgoPerf's experiment folders into this project's trial records
/// (`optbench import algoperf`).
///
/// Layout read: `LOGDIR/<submission>/study_<k>/<workload>_<jax|pytorch>/trial_<i>/` (or
/// `LOGDIR/study_<k>/...` for one submission, named after LOGDIR), each trial with its
/// evaluations in `eval_measurements.csv` or, failing that, in the `Metrics:` line of its
/// tuning run in the workload folder's `.log` files; `hparams.json` (absent under
/// self-tuning) and `meta_data_0.json` (its `rng_seed`, AlgoPerf's study seed, becomes
/// the record's seed).
///
/// Every folder and file is hostile input: names become group names only as plain names,
/// every field is checked, and an error names the file, the field and what was expected.
/// Workloads are judged against `AlgoPerfWorkloads` (v0.6); folders of other workloads
/// (v0.5's held-out variants, test workloads) are skipped with a note. Fields AlgoPerf
/// does not record (example and oracle counts, memory) are absent, never zero; a run
/// that lacks `total_duration`, `train/loss` or `test/<metric>` gets NaN there.
/// AlgoPerf numbers trials from 1 in folders it lists in no fixed order; here each
/// study's trials are numbered from 0 in AlgoPerf's numeric order (trial_1 → trial_0).
public enum AlgoPerfImport {
    /// The records and what was skipped or renumbered, one note per line.
    public struct Outcome: Sendable {
        public var trials: [TrialRecord]
        public var notes: [String]
    }

    /// Imports `folder` under `ruleset`; `submission` names a single-submission folder
    /// (default: the folder's own name).
    public static func trials(in folder: String, ruleset: String, submission: String? = nil) throws -> Outcome {
        var outcome = Outcome(trials: [], notes: [])
        let entries = try FileAccess.entries(ofFolder: folder).sorted()
        if entries.contains(where: { studyNumber($0) != nil && FileAccess.kind(of: "\(folder)/\($0)") == .folder }) {
            let name = submission ?? URL(fileURLWithPath: folder).standardized.lastPathComponent
            try PlainName.validated(name, source: folder, field: "submission name (the folder's name; pass --submission)")
            try importSubmission(at: folder, named: name, ruleset: ruleset, into: &outcome)
        } else {
            for entry in entries where FileAccess.kind(of: "\(folder)/\(entry)") == .folder {
                let path = "\(folder)/\(entry)"
                guard try FileAccess.entries(ofFolder: path).contains(where: { studyNumber($0) != nil }) else {
                    outcome.notes.append("skipped \(PlainName.escaped(path)): no study_<k> folders")
                    continue
                }
                try PlainName.validated(entry, source: path, field: "submission folder name")
                try importSubmission(at: path, named: submission ?? entry, ruleset: ruleset, into: &outcome)
            }
        }
        guard !outcome.trials.isEmpty else {
            throw InputError(source: folder, field: nil, message: "holds no AlgoPerf trials (expected <submission>/study_<k>/<workload>_<framework>/trial_<i>/)")
        }
        outcome.notes.append("trials renumbered from 0 in each study, in AlgoPerf's order: trial_1 → trial_0, trial_2 → trial_1, ...")
        return outcome
    }

    /// `k` of a "study_<k>" name within the layout's limits.
    static func studyNumber(_ name: String) -> Int? { number(in: name, prefix: "study_") }

    static func number(in name: String, prefix: String) -> Int? {
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.count <= 7, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits),
              value <= ResultsLayout.maximumIndex
        else { return nil }
        return value
    }

    private static func importSubmission(at folder: String, named submission: String, ruleset: String, into outcome: inout Outcome) throws {
        for entry in try FileAccess.entries(ofFolder: folder).sorted() {
            let path = "\(folder)/\(entry)"
            guard let study = studyNumber(entry), FileAccess.kind(of: path) == .folder else {
                outcome.notes.append("skipped \(PlainName.escaped(path)): not a study_<k> folder")
                continue
            }
            for workloadEntry in try FileAccess.entries(ofFolder: path).sorted() where FileAccess.kind(of: "\(path)/\(workloadEntry)") == .folder {
                let workloadPath = "\(path)/\(workloadEntry)"
                guard let workload = workloadRecord(folderName: workloadEntry) else {
                    outcome.notes.append(
                        "skipped \(PlainName.escaped(workloadPath)): not <workload>_jax or <workload>_pytorch for an \(AlgoPerfWorkloads.source) base workload")
                    continue
                }
                let key = TrialKey(submission: submission, workload: workload.name, ruleset: ruleset, study: study, trial: 0)
                outcome.trials += try trials(inWorkloadFolder: workloadPath, workload: workload, key: key, notes: &outcome.notes)
            }
        }
    }

    /// The v0.6 record of a "<workload>_jax" or "<workload>_pytorch" folder name.
    static func workloadRecord(folderName: String) -> WorkloadRecord? {
        for suffix in ["_jax", "_pytorch"] where folderName.hasSuffix(suffix) {
            return AlgoPerfWorkloads.records[String(folderName.dropLast(suffix.count))]
        }
        return nil
    }

    private static func trials(inWorkloadFolder folder: String, workload: WorkloadRecord, key: TrialKey, notes: inout [String]) throws -> [TrialRecord] {
        let entries = try FileAccess.entries(ofFolder: folder).sorted()
        var logged: [Int: (rows: [AlgoPerfMeasurements.Row], file: String)] = [:]
        for entry in entries where entry.hasSuffix(".log") {
            let path = "\(folder)/\(entry)"
            for (run, rows) in try AlgoPerfMeasurements.log(at: path) {
                if let earlier = logged[run] {
                    throw InputError(
                        source: path, field: "tuning run \(run)",
                        message: "is also in \(PlainName.escaped(earlier.file)); expected each tuning run in one log")
                }
                logged[run] = (rows, path)
            }
        }
        let numbered = entries.compactMap { entry in number(in: entry, prefix: "trial_").map { (number: $0, name: entry) } }
            .filter { FileAccess.kind(of: "\(folder)/\($0.name)") == .folder }
            .sorted { $0.number < $1.number }
        var records: [TrialRecord] = []
        for trial in numbered {
            let path = "\(folder)/\(trial.name)"
            let csv = "\(path)/eval_measurements.csv"
            let rows: [AlgoPerfMeasurements.Row], source: String
            if FileAccess.kind(of: csv) != .missing {
                (rows, source) = (try AlgoPerfMeasurements.csv(at: csv), csv)
            } else if let log = logged[trial.number] {
                (rows, source) = (log.rows, log.file)
            } else {
                notes.append("skipped \(PlainName.escaped(path)): no eval_measurements.csv and no Metrics line for tuning run \(trial.number)")
                continue
            }
            var trialKey = key
            trialKey.trial = records.count
            // Only names already checked go into the message: the submission, the study, the workload folder, the trial.
            let origin = "\(key.submission)/study_\(key.study)/\(URL(fileURLWithPath: folder).lastPathComponent)/\(trial.name)"
            records.append(try record(folder: path, origin: origin, rows: rows, rowsSource: source, workload: workload, key: trialKey))
        }
        return records
    }

    private static func record(
        folder: String, origin: String, rows: [AlgoPerfMeasurements.Row], rowsSource: String, workload: WorkloadRecord, key: TrialKey
    ) throws -> TrialRecord {
        let hparams = "\(folder)/hparams.json"
        let hyperparameters = FileAccess.kind(of: hparams) == .missing
            ? Hyperparameters() : try Hyperparameters(parsing: JSONValue.load(contentsOf: hparams), source: hparams)
        let evaluations = try rows.enumerated().map { index, row in
            try evaluationRow(row, index: index, metric: workload.metric, source: rowsSource)
        }
        var record = TrialRecord(
            key: key, workload: workload, hyperparameters: hyperparameters, seed: try seed(in: "\(folder)/meta_data_0.json"),
            status: .budgetExhausted, message: "imported from AlgoPerf: \(origin)", timeToTarget: nil, stepsToTarget: nil,
            oracleCallsToTarget: nil, stateBytes: nil, peakResidentBytes: nil, evaluations: evaluations,
            trainLossSteps: [], trainLossValues: [], budgetScale: 1, stopAtTarget: false)
        let time = TargetMeasure.time.toTarget(of: record)
        if time.isFinite {
            record.status = .reachedTarget
            record.timeToTarget = time
            record.stepsToTarget = Int(TargetMeasure.steps.toTarget(of: record))
        }
        return record
    }

    /// One evaluation: `score` (AlgoPerf's accumulated submission time, the clock its
    /// scoring reads), `global_step` and `validation/<metric>` are required.
    static func evaluationRow(_ row: AlgoPerfMeasurements.Row, index: Int, metric: String, source: String) throws -> EvaluationRow {
        func required(_ column: String) throws -> Double {
            guard let value = row[column] else {
                throw InputError(source: source, field: "evaluation \(index) '\(column)'", message: "is missing; expected a number")
            }
            return value
        }
        let time = try required("score")
        guard time.isFinite, time >= 0 else {
            throw InputError(source: source, field: "evaluation \(index) 'score'", message: "must be a finite number of seconds ≥ 0, found \(time)")
        }
        let step = try required("global_step")
        guard step.isFinite, step >= 0, step <= Double(TrialRecord.countLimit), step.rounded() == step else {
            throw InputError(source: source, field: "evaluation \(index) 'global_step'", message: "must be a whole number in 0...\(TrialRecord.countLimit), found \(step)")
        }
        return EvaluationRow(
            step: Int(step), submissionTime: time, wallTime: row["total_duration"] ?? .nan, counts: nil,
            metrics: Metrics(
                trainLoss: row["train/loss"] ?? .nan, validationMetric: try required("validation/\(metric)"),
                testMetric: row["test/\(metric)"] ?? .nan))
    }

    /// AlgoPerf's `rng_seed` from a trial's `meta_data_0.json`.
    static func seed(in path: String) throws -> UInt64 {
        guard case .object(let fields) = try JSONValue.load(contentsOf: path) else {
            throw InputError(source: path, field: nil, message: "must be a JSON object")
        }
        guard case .number(let value) = fields["rng_seed"], value.isFinite, value >= 0, value <= 9_007_199_254_740_992,
              value.rounded() == value
        else {
            throw InputError(source: path, field: "rng_seed", message: "must be a whole number in 0...2^53 (AlgoPerf's study seed), found \(fields["rng_seed"]?.typeName ?? "nothing")")
        }
        return UInt64(value)
    }
}
