import Core
import Foundation

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

extension ResultsFile {
    /// Merges `trialFiles` into the results file at `path`, keeping from the file already
    /// there the trials of every workload that neither `replacing` nor any trial file
    /// covers (each with its own provenance), as `merge(read:into:provenance:)` does.
    ///
    /// What `optbench calibrate` writes: the calibration file holds every workload's
    /// latest calibration, but a fresh clone has only that file, not the trial files
    /// behind it. An unreadable existing file throws rather than being replaced.
    public static func merge(
        _ trialFiles: [String], replacing workloads: Set<String>, keepingTheRestOf path: String, provenance: Provenance
    ) throws -> MergeReport {
        var inputs = trialFiles.map { file in (path: file, contents: Result<ResultsContents, any Error> { try read(file) }) }
        let covered = workloads.union(inputs.compactMap { try? $0.contents.get() }.flatMap { $0.trials.map(\.workload.name) })
        if FileManager.default.fileExists(atPath: path), let earlier = try read(path).excludingWorkloads(covered) {
            inputs.append((path: path, contents: .success(earlier)))
        }
        return try merge(read: inputs, into: path, provenance: provenance)
    }
}
