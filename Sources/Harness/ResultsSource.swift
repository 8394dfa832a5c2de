import Foundation
import Results

/// Trial records from stored results: one results file (merged or single trial), or a
/// folder of trial files, read through an `IsolatedResultsReader` (files from strangers
/// never reach libhdf5 in the calling process). In a folder, a corrupt, unfinished or
/// unreadable trial file is reported by name and skipped, never fatal; a single file that
/// cannot be read is an error naming it.
public enum ResultsSource {
    /// What was loaded and what was skipped (path and reason).
    public struct Loaded: Sendable {
        public var trials: [TrialRecord]
        public var skipped: [(path: String, reason: String)]
        /// The file's whole contents when a single results file was loaded; nil for a folder.
        public var contents: ResultsContents?
    }

    public static func load(_ path: String, reader: IsolatedResultsReader) throws -> Loaded {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ResultsSourceError(path: path, message: "no such file or folder")
        }
        guard isDirectory.boolValue else {
            let contents = try reader.read(path)
            return Loaded(trials: contents.trials, skipped: [], contents: contents)
        }
        var loaded = Loaded(trials: [], skipped: [], contents: nil)
        let files = ResultsFile.trialFiles(under: path)
        for (file, result) in zip(files, reader.read(files)) {
            switch result {
            case .success(let contents): loaded.trials += contents.trials
            case .failure(let failure): loaded.skipped.append((file, failure.description))
            }
        }
        loaded.trials.sort { $0.key < $1.key }
        return loaded
    }

    /// Trial files named directly or found (recursively) in the folders named, read
    /// through `reader`, each with its contents or why it could not be read: what
    /// `ResultsFile.merge(read:into:provenance:)` takes.
    public static func readForMerge(
        _ inputs: [String], reader: IsolatedResultsReader
    ) -> [(path: String, contents: Result<ResultsContents, any Error>)] {
        let files = inputs.flatMap { input in isFolder(input) ? ResultsFile.trialFiles(under: input) : [input] }
        return zip(files, reader.read(files)).map { file, result in (file, result.mapError { $0 as any Error }) }
    }
}

/// A results path that cannot be read at all.
public struct ResultsSourceError: Error, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}

extension ResultsSource {
    /// Whether `path` is a folder (of trial files) rather than a results file.
    public static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
