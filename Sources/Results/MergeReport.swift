/// What `ResultsFile.merge` did: how many trials went into the results file and which
/// inputs (or single trials of them) were left out, and why.
public struct MergeReport: Sendable, Equatable, CustomStringConvertible {
    /// An input file, or one trial of it, that was not merged.
    public struct Skipped: Sendable, Equatable {
        /// The input file.
        public var path: String
        /// The trial left out; nil when the whole file was (unreadable or incomplete).
        public var key: TrialKey?
        public var reason: String

        public init(path: String, key: TrialKey?, reason: String) {
            self.path = path
            self.key = key
            self.reason = reason
        }
    }

    /// The results file written.
    public var output: String
    /// Input files given.
    public var inputs: Int
    /// Trials in the results file.
    public var mergedTrials: Int
    /// Whole files and single trials left out, in input order.
    public var skipped: [Skipped]

    public init(output: String, inputs: Int, mergedTrials: Int, skipped: [Skipped]) {
        self.output = output
        self.inputs = inputs
        self.mergedTrials = mergedTrials
        self.skipped = skipped
    }

    /// One line per skipped item after a summary line.
    public var description: String {
        var lines = ["merged \(mergedTrials) trials from \(inputs) files into \(output); skipped \(skipped.count)"]
        for item in skipped {
            let what = item.key.map { "\(item.path) [\($0.label)]" } ?? item.path
            lines.append("  skipped \(what): \(item.reason)")
        }
        return lines.joined(separator: "\n")
    }
}
