import Core
import Foundation
import Results

/// Writes trial records in the layout AlgoPerf's scoring scripts read
/// (`optbench export algoperf`): `DIR/<ruleset>/<submission>/study_<k>/<workload>_jax/trial_<i+1>/`
/// with `eval_measurements.csv`, `hparams.json` and `meta_data_0.json`, so
/// `score_submissions.py --submission_directory DIR/<ruleset>` finds every submission.
///
/// - `eval_measurements.csv`: `global_step`, `score` and `accumulated_submission_time`
///   (both the submission time), `total_duration` (wall time), `train/loss`,
///   `validation/<metric>`, `test/<metric>`; NaN is an empty cell, as pandas writes it.
/// - `meta_data_0.json`: `rng_seed` (the trial's seed) and the workload's
///   `workload.target_metric_name`, `workload.validation_target_value`,
///   `workload.test_target_value`, `workload.max_allowed_runtime_sec`,
///   `workload.eval_period_time_sec`, `workload.step_hint`, as AlgoPerf records them.
/// - Trials are numbered from 1, as AlgoPerf numbers them (trial_0 → trial_1); the
///   framework suffix is `_jax` because AlgoPerf's scoring requires one.
///
/// Every path component is a plain name the results reader has already checked, and is
/// checked again here, so no name from a results file leaves `directory`; every file is
/// written under a temporary name and renamed into place.
public enum AlgoPerfExport {
    /// Writes `trials` under `directory`, which must be absent or empty; returns the files written.
    @discardableResult
    public static func write(_ trials: [TrialRecord], to directory: String) throws -> [String] {
        switch FileAccess.kind(of: directory) {
        case .missing: break
        case .folder:
            guard try FileAccess.entries(ofFolder: directory).isEmpty else {
                throw InputError(source: directory, field: nil, message: "is not empty; export writes into a new or empty folder, so no old trial is mixed in")
            }
        case .regularFile, .other:
            throw InputError(source: directory, field: nil, message: "is not a folder")
        }
        var written: [String] = []
        for trial in trials.sorted(by: { $0.key < $1.key }) {
            let key = trial.key
            let components = [key.ruleset, key.submission, "study_\(key.study)", "\(key.workload)_jax", "trial_\(key.trial + 1)"]
            for component in components where !PlainName.isValid(component) {
                throw InputError(source: "trial \(key.label)", field: nil, message: "has a name that is not a plain name: \(PlainName.escaped(component))")
            }
            let folder = ([directory] + components).joined(separator: "/")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let files = [
                ("eval_measurements.csv", measurementsCSV(trial)),
                ("hparams.json", JSONValue.object(trial.hyperparameters.values.mapValues { .number($0) }).formatted() + "\n"),
                ("meta_data_0.json", metadataJSON(trial)),
            ]
            for (name, text) in files {
                try AtomicFile.write(text, to: "\(folder)/\(name)")
                written.append("\(folder)/\(name)")
            }
        }
        return written
    }

    /// The trial's evaluations as AlgoPerf's `eval_measurements.csv`.
    static func measurementsCSV(_ trial: TrialRecord) -> String {
        let metric = trial.workload.metric
        var lines = ["global_step,score,accumulated_submission_time,total_duration,train/loss,validation/\(metric),test/\(metric)"]
        for row in trial.evaluations {
            let time = cell(row.submissionTime)
            lines.append([String(row.step), time, time, cell(row.wallTime), cell(row.trainLoss), cell(row.validationMetric), cell(row.testMetric)]
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV cell: empty for NaN (pandas' way), `inf`/`-inf`, else the shortest exact decimal.
    static func cell(_ value: Double) -> String {
        if value.isNaN { return "" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return "\(value)"
    }

    /// `meta_data_0.json`: the seed (an exact integer) and the workload's facts under
    /// AlgoPerf's key names.
    static func metadataJSON(_ trial: TrialRecord) -> String {
        let w = trial.workload
        let fields: [(String, String)] = [
            ("rng_seed", String(trial.seed)),
            ("workload.eval_period_time_sec", JSONValue.number(w.evalPeriodSeconds).serialized),
            ("workload.max_allowed_runtime_sec", JSONValue.number(w.maxRuntimeSeconds).serialized),
            ("workload.step_hint", String(w.stepHint)),
            ("workload.target_metric_name", JSONValue.string(w.metric).serialized),
            ("workload.test_target_value", JSONValue.number(w.testTarget).serialized),
            ("workload.validation_target_value", JSONValue.number(w.validationTarget).serialized),
        ]
        return "{\n" + fields.map { "  \(JSONValue.string($0.0).serialized): \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }
}
