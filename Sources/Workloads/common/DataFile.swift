import Core

/// A data file a real-data workload reads from outside the repository (a Debian
/// package's data set, a corpus `make deps` generates), checked against the size and
/// SHA-256 its spec records before a byte of it is parsed. A missing or different file
/// stops with an error naming the file and how to (re)install it.
struct DataFile: Sendable, Equatable {
    /// Where the file is.
    let path: String
    /// Its SHA-256, 64 lowercase hex digits.
    let sha256: String
    /// The largest file accepted (its size is checked before it is read whole).
    let maximumBytes: Int
    /// What to run to get the file, quoted in every error ("sudo apt-get install -y …").
    let remedy: String

    /// The file's bytes, once their SHA-256 matches.
    func read() throws -> [UInt8] {
        guard FileAccess.kind(of: path) != .missing else {
            throw InputError(source: path, field: nil, message: "no such file; install it with: \(remedy)")
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try FileAccess.contents(of: path, maximumBytes: maximumBytes))
        } catch let error as InputError {
            throw InputError(source: path, field: nil, message: "\(error.message); reinstall it with: \(remedy)")
        }
        let digest = SHA256.hexDigest(bytes)
        guard digest == sha256 else {
            throw InputError(
                source: path, field: nil,
                message: "has SHA-256 \(digest), expected \(sha256) (the file is corrupt or another version); reinstall it with: \(remedy)")
        }
        return bytes
    }

    /// `path` as given when absolute, else relative to the folder of the spec file
    /// `specSource` (so a spec's data paths work from any working directory).
    static func resolve(_ path: String, relativeTo specSource: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        guard let slash = specSource.lastIndex(of: "/") else { return path }
        return String(specSource[...slash]) + path
    }
}
