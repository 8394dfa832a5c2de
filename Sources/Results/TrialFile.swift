/// One trial's own results file, written by the process that ran the trial (or by the
/// suite runner for a crashed one). It has the same layout as a merged results file,
/// holding exactly one trial; `ResultsFile.read` reads it.
public enum TrialFile {
    /// Writes `record` with `provenance` to `path` atomically: the file is written under a
    /// temporary name in the same directory (`<path>.tmp-<pid>-<n>`), closed, then renamed
    /// over `path`. On any failure the temporary is removed and the error thrown, so `path`
    /// never holds a partial file. Parent directories are created as needed.
    public static func write(_ record: TrialRecord, provenance: Provenance, to path: String) throws {
        try ResultsFile.write(ResultsContents(provenance: provenance, trials: [record]), to: path)
    }

    /// Whether `path` holds a finished trial: the file exists, opens as HDF5, carries the
    /// `complete` attribute, reads back under the layout and holds at least one trial.
    /// Never crashes and never prints on a missing, empty, truncated or foreign file.
    public static func isComplete(at path: String) -> Bool {
        guard let contents = try? ResultsFile.read(path) else { return false }
        return !contents.trials.isEmpty
    }
}
