/// Names and version of the results layout (documented in results/README.md).
public enum ResultsLayout {
    /// The `schema_version` this build writes and the newest it reads; files with a larger
    /// one are rejected. Version 2 stores strings fixed-length and a `digest` on the root
    /// and on every trial, which readers check; version 1 files (variable-length strings,
    /// no digests) are still read.
    public static let schemaVersion = 2
    /// The first `schema_version` whose files carry digests.
    public static let firstVersionWithDigests = 2
    /// Attribute holding a digest (`TrialRecord.digest`) on the root and each trial group.
    public static let digestAttribute = "digest"
    /// Root attributes with the number of trial groups and workload groups the writer made.
    /// The root digest covers them, so a file whose group links were damaged so that some
    /// groups no longer show is rejected instead of read as a smaller file. Files written
    /// before they existed (schema 1, and early schema 2) have neither and are read as before.
    public static let trialCountAttribute = "trial_count"
    public static let workloadCountAttribute = "workload_count"
    /// Root attribute written last, set to 1: a file without it was not finished.
    public static let completeAttribute = "complete"
    public static let workloadsGroup = "workloads"
    public static let trialsGroup = "trials"
    /// Where a later step writes score tables: `/scores/<ruleset>`.
    public static let scoresGroup = "scores"
    /// Per-trial copy of the provenance of the process that ran the trial.
    public static let provenanceGroup = "provenance"
    public static let evaluationsGroup = "evals"
    public static let trainLossGroup = "train_loss"

    /// The largest study or trial number a file may use.
    public static let maximumIndex = 1_000_000

    /// Group name of study `k`: "study_<k>".
    public static func studyName(_ study: Int) -> String { "study_\(study)" }
    /// Group name of trial `i`: "trial_<i>".
    public static func trialName(_ trial: Int) -> String { "trial_\(trial)" }

    /// The absolute path of a trial's group in a results file.
    public static func trialPath(_ key: TrialKey) -> String {
        "/\(trialsGroup)/\(key.ruleset)/\(key.submission)/\(key.workload)/\(studyName(key.study))/\(trialName(key.trial))"
    }

    /// The number in a "<prefix><n>" group name, nil if the name is not of that form.
    static func index(in name: String, prefix: String) -> Int? {
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }
}
