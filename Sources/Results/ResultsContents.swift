import Core

/// Everything a results file (a single trial's file or a merged one) holds, apart from
/// score tables: the file's provenance, its workloads and its trials.
public struct ResultsContents: Sendable, Equatable {
    /// Provenance of the process that wrote the file (for a merged file: the merge).
    public var provenance: Provenance
    /// Trials sorted by key.
    public var trials: [TrialRecord]
    /// The workloads the trials refer to, sorted by name.
    public var workloads: [WorkloadRecord]
    /// Provenance of the process that ran each trial (kept through merges).
    public var trialProvenance: [TrialKey: Provenance]

    /// Contents from trials; the workload table is taken from the trials' records, and a
    /// trial without an entry in `trialProvenance` is attributed to `provenance`.
    /// Throws if two trials share a key or disagree about a workload's record.
    public init(provenance: Provenance, trials: [TrialRecord], trialProvenance: [TrialKey: Provenance] = [:]) throws {
        var workloads: [String: WorkloadRecord] = [:]
        var keys: Set<TrialKey> = []
        for (index, trial) in trials.enumerated() {
            guard keys.insert(trial.key).inserted else {
                throw InputError(source: "results contents", field: "trials[\(index)]", message: "repeats the key \(trial.key.label)")
            }
            if let known = workloads[trial.workload.name], known != trial.workload {
                throw InputError(
                    source: "results contents", field: "trials[\(index)].workload",
                    message: "disagrees with an earlier trial about workload '\(trial.workload.name)': \(trial.workload) vs \(known)")
            }
            workloads[trial.workload.name] = trial.workload
        }
        self.provenance = provenance
        self.trials = trials.sorted { $0.key < $1.key }
        self.workloads = workloads.values.sorted { $0.name < $1.name }
        self.trialProvenance = Dictionary(uniqueKeysWithValues: trials.map { ($0.key, trialProvenance[$0.key] ?? provenance) })
    }

    /// Contents exactly as read from a file.
    init(provenance: Provenance, sortedTrials: [TrialRecord], workloads: [WorkloadRecord], trialProvenance: [TrialKey: Provenance]) {
        self.provenance = provenance
        self.trials = sortedTrials
        self.workloads = workloads
        self.trialProvenance = trialProvenance
    }

    /// The provenance of the process that ran trial `key` (the file's own when unknown).
    public func provenance(of key: TrialKey) -> Provenance { trialProvenance[key] ?? provenance }
}

extension TrialKey {
    /// "ruleset/submission/workload/study_k/trial_i", for messages.
    public var label: String {
        "\(ruleset)/\(submission)/\(workload)/\(ResultsLayout.studyName(study))/\(ResultsLayout.trialName(trial))"
    }
}
