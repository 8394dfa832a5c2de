/// How many trial and workload groups a results file's writer made (the root's
/// `trial_count` and `workload_count`).
struct GroupCounts: Equatable {
    var trials: Int
    var workloads: Int
}

extension GroupCounts {
    /// The counts the root records, or nil for a file written before they were (neither
    /// attribute); a file with only one of them is rejected.
    init?(readingFrom root: HDF5Group) throws {
        let hasTrials = try root.hasAttribute(ResultsLayout.trialCountAttribute)
        let hasWorkloads = try root.hasAttribute(ResultsLayout.workloadCountAttribute)
        guard hasTrials || hasWorkloads else { return nil }
        guard hasTrials && hasWorkloads else {
            throw HDF5Error(
                file: root.file.path, object: "/",
                message: "has only one of '\(ResultsLayout.trialCountAttribute)' and '\(ResultsLayout.workloadCountAttribute)', which are written together")
        }
        self.init(
            trials: try root.intAttribute(ResultsLayout.trialCountAttribute),
            workloads: try root.intAttribute(ResultsLayout.workloadCountAttribute))
    }
}
