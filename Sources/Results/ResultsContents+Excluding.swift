import Core

extension ResultsContents {
    /// These contents without the trials of `workloads`, each kept trial with its own
    /// provenance; nil when no trial is left.
    ///
    /// What a calibration keeps of the calibration results file it rewrites: the other
    /// workloads' trials, whose trial files a fresh clone does not have (only the merged
    /// file is committed), while the calibrated workloads' come from the new trial files.
    public func excludingWorkloads(_ workloads: Set<String>) throws -> ResultsContents? {
        let kept = trials.filter { !workloads.contains($0.workload.name) }
        guard !kept.isEmpty else { return nil }
        var origins: [TrialKey: Provenance] = [:]
        for trial in kept { origins[trial.key] = provenance(of: trial.key) }
        return try ResultsContents(provenance: provenance, trials: kept, trialProvenance: origins)
    }
}
