import Foundation
import Results

/// Trial records from stored results: one results file (merged or single trial), or a
/// folder of trial files. Corrupt or incomplete trial files in a folder are reported and
/// skipped, never fatal.
public enum ResultsSource {
    /// What was loaded and what was skipped (path and reason).
    public struct Loaded: Sendable {
        public var trials: [TrialRecord]
        public var skipped: [(path: String, reason: String)]
    }

    public static func load(_ path: String) throws -> Loaded {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ResultsSourceError(path: path, message: "no such file or folder")
        }
        guard isDirectory.boolValue else {
            return Loaded(trials: try ResultsFile.read(path).trials, skipped: [])
        }
        var loaded = Loaded(trials: [], skipped: [])
        for file in ResultsFile.trialFiles(under: path) {
            do {
                loaded.trials += try ResultsFile.read(file).trials
            } catch {
                loaded.skipped.append((file, "\(error)"))
            }
        }
        loaded.trials.sort { $0.key < $1.key }
        return loaded
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
