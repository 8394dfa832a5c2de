import Foundation

/// Reading input files and folders with errors that name the path and give a plain reason
/// ("no such file or folder", "is a folder, not a file", "permission denied"), never
/// Foundation's "The operation could not be completed" or an `NSError` dump.
public enum FileAccess {
    /// What a path is, following symbolic links.
    public enum Kind: Sendable, Equatable {
        case missing
        case regularFile
        case folder
        /// A device, pipe or socket: never read as an input file (reading could block).
        case other
    }

    /// Creates `path` and its missing parents (`mkdir -p`). Returns nil when `path` is a
    /// folder afterwards; otherwise the folder that could not be created and the system's
    /// reason (`strerror`), or "a file of that name is in the way".
    public static func createFolders(_ path: String) -> (folder: String, reason: String)? {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { return (prefix, String(cString: strerror(errno))) }
            prefix += "/"
        }
        var status = stat()
        guard stat(path, &status) == 0 else { return (path, String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFDIR else { return (path, "a file of that name is in the way") }
        return nil
    }

    /// The largest input file read whole (spec, profile and search-space files are a few
    /// kilobytes).
    public static let maximumInputBytes = 16 << 20

    /// What `path` is.
    public static func kind(of path: String) -> Kind {
        var status = stat()
        guard !path.isEmpty, stat(path, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .regularFile
        case S_IFDIR: return .folder
        default: return .other
        }
    }

    /// The bytes of the regular file at `path`, at most `maximumBytes` of them; throws an
    /// `InputError` naming the path and the reason otherwise.
    public static func contents(of path: String, maximumBytes: Int = maximumInputBytes) throws -> Data {
        try requireRegularFile(path)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError(source: path, field: nil, message: "cannot be read: \(reason(for: error))")
        }
        guard data.count <= maximumBytes else {
            throw InputError(source: path, field: nil, message: "is larger than \(maximumBytes) bytes, too large for an input file")
        }
        return data
    }

    /// The names of the entries of the folder at `path`; throws an `InputError` naming the
    /// path and the reason when it is not a readable folder.
    public static func entries(ofFolder path: String) throws -> [String] {
        switch kind(of: path) {
        case .missing: throw InputError(source: path, field: nil, message: "no such folder")
        case .regularFile, .other: throw InputError(source: path, field: nil, message: "is not a folder")
        case .folder: break
        }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw InputError(source: path, field: nil, message: "cannot be listed: \(reason(for: error))")
        }
    }

    /// Throws an `InputError` naming `path` unless it is a regular file.
    public static func requireRegularFile(_ path: String) throws {
        switch kind(of: path) {
        case .regularFile: return
        case .missing: throw InputError(source: path, field: nil, message: "no such file")
        case .folder: throw InputError(source: path, field: nil, message: "is a folder, not a file")
        case .other: throw InputError(source: path, field: nil, message: "is not a regular file (a device, pipe or socket)")
        }
    }

    /// A short, `strerror`-like reason for an error of Foundation's file functions: the
    /// POSIX error's text where there is one, else a reason for the Cocoa error code, so
    /// messages never carry "The operation could not be completed".
    public static func reason(for error: Error) -> String {
        if let posix = error as? POSIXError { return posixText(Int(posix.code.rawValue)) }
        if !(error is CocoaError), !(type(of: error) is NSError.Type) { return String(describing: error) }
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return posixText(nsError.code) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posixText(underlying.code)
        }
        if nsError.domain == NSCocoaErrorDomain { return cocoaText(CocoaError.Code(rawValue: nsError.code)) }
        return "\(nsError.domain) error \(nsError.code)"
    }

    private static func posixText(_ code: Int) -> String {
        String(cString: strerror(Int32(truncatingIfNeeded: code))).lowercased()
    }

    private static func cocoaText(_ code: CocoaError.Code) -> String {
        switch code {
        case .fileNoSuchFile, .fileReadNoSuchFile: "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: "permission denied"
        case .fileWriteOutOfSpace: "no space left on the device"
        case .fileWriteFileExists: "already exists"
        case .fileWriteVolumeReadOnly: "read-only file system"
        case .fileReadTooLarge: "too large"
        case .fileReadInvalidFileName, .fileWriteInvalidFileName: "invalid file name"
        case .fileReadCorruptFile: "unreadable contents"
        case .fileReadUnknownStringEncoding, .fileReadInapplicableStringEncoding: "not text in the expected encoding"
        default: "file system error \(code.rawValue)"
        }
    }
}
