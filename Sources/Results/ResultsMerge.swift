import Core

extension ResultsFile {
    /// Gathers trial files (or other results files) into one results file at `path`,
    /// written atomically with `provenance` as its root provenance; each trial keeps the
    /// provenance it was run with.
    ///
    /// - Unreadable, corrupt, truncated or unfinished inputs are skipped whole and listed
    ///   in the report with the reason.
    /// - Duplicate trial keys are deduplicated: the first occurrence in input order is
    ///   kept and every later one is skipped and listed (naming the file it lost to).
    /// - A trial whose workload record differs from the one already gathered for that
    ///   workload name (specs changed between runs) is skipped and listed.
    ///
    /// Throws when no trial is left to merge, or when the results file cannot be written.
    ///
    /// Inputs are read in this process; use `merge(read:into:provenance:)` with an
    /// `IsolatedResultsReader`'s results for files from strangers.
    public static func merge(_ trialFiles: [String], into path: String, provenance: Provenance) throws -> MergeReport {
        let inputs = trialFiles.map { file in (file, Result<ResultsContents, any Error> { try read(file) }) }
        return try merge(read: inputs, into: path, provenance: provenance)
    }

    /// Merges inputs already read (each file's path with its contents or its reading
    /// error), as `merge(_:into:provenance:)` does.
    public static func merge(
        read inputs: [(path: String, contents: Result<ResultsContents, any Error>)], into path: String, provenance: Provenance
    ) throws -> MergeReport {
        var skipped: [MergeReport.Skipped] = []
        var kept: [TrialRecord] = []
        var origin: [TrialKey: (file: String, provenance: Provenance)] = [:]
        var workloads: [String: (record: WorkloadRecord, file: String)] = [:]
        let trialFiles = inputs.map(\.path)
        for (input, result) in inputs {
            let contents: ResultsContents
            switch result {
            case .success(let read): contents = read
            case .failure(let error):
                skipped.append(.init(path: input, key: nil, reason: "\(error)"))
                continue
            }
            for trial in contents.trials {
                if let earlier = origin[trial.key] {
                    skipped.append(.init(path: input, key: trial.key, reason: "duplicate trial key; kept the one from \(earlier.file)"))
                    continue
                }
                if let known = workloads[trial.workload.name], known.record != trial.workload {
                    skipped.append(.init(
                        path: input, key: trial.key,
                        reason: "workload '\(trial.workload.name)' differs from its record in \(known.file)"))
                    continue
                }
                workloads[trial.workload.name] = workloads[trial.workload.name] ?? (trial.workload, input)
                origin[trial.key] = (input, contents.provenance(of: trial.key))
                kept.append(trial)
            }
        }
        guard !kept.isEmpty else {
            let reasons = skipped.prefix(3).map { "\($0.path): \($0.reason)" }.joined(separator: "; ")
            throw InputError(
                source: path, field: nil,
                message: "nothing to merge: none of the \(trialFiles.count) input files holds a complete trial\(reasons.isEmpty ? "" : " (\(reasons))")")
        }
        let contents = try ResultsContents(
            provenance: provenance, trials: kept, trialProvenance: origin.mapValues(\.provenance))
        try write(contents, to: path)
        return MergeReport(output: path, inputs: trialFiles.count, mergedTrials: kept.count, skipped: skipped)
    }
}
