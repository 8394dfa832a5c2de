import Foundation

/// Writes a file under a temporary name in the same folder and renames it into place
/// (`rename(2)` replaces atomically), so a reader never sees a half-written file and a
/// failure leaves the old file untouched.
public enum AtomicFile {
    /// Writes `text` to `path`. `validate`, when given, is called with the temporary path
    /// before the rename; if it throws, the temporary is removed and nothing is replaced.
    public static func write(_ text: String, to path: String, validate: ((String) throws -> Void)? = nil) throws {
        let temporary = "\(path).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            try validate?(temporary)
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "rename failed: \(String(cString: strerror(errno)))"])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
