import CHDF5
import Foundation

/// An open HDF5 file. Closes itself when released; `close()` closes it earlier and
/// reports failures (use it before renaming a file you wrote).
///
/// Files are opened with the "strong" close degree: closing the file closes every group
/// still open in it, so a file is fully written and released once `close()` returns.
public final class HDF5File {
    /// The file's path on disk.
    public let path: String
    let id: hid_t
    /// False once the file is closed; groups check it before closing their own ids.
    private(set) var isOpen = true

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    /// Creates (or truncates) the file at `path`.
    public static func create(_ path: String) throws -> HDF5File {
        try HDF5Library.locked {
            let id = try withStrongCloseAccess(path) { access in
                let id = H5Fcreate(path, optbench_H5F_ACC_TRUNC(), HDF5Library.defaultProperties, access)
                guard id >= 0 else { throw HDF5Error.failed(file: path, object: "", "cannot create HDF5 file") }
                return id
            }
            return HDF5File(path: path, id: id)
        }
    }

    /// Opens an existing file, read-only unless `writable`.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        try HDF5Library.locked {
            guard FileManager.default.fileExists(atPath: path) else {
                throw HDF5Error(file: path, object: "", message: "does not exist")
            }
            let flags = writable ? optbench_H5F_ACC_RDWR() : optbench_H5F_ACC_RDONLY()
            let id = try withStrongCloseAccess(path) { access in
                let id = H5Fopen(path, flags, access)
                // The error stack is read before any other HDF5 call clears it.
                guard id >= 0 else {
                    throw HDF5Error.failed(file: path, object: "", "cannot be opened as HDF5 (not an HDF5 file, truncated or corrupt)")
                }
                return id
            }
            return HDF5File(path: path, id: id)
        }
    }

    /// The root group "/".
    public func root() throws -> HDF5Group {
        try HDF5Library.locked {
            guard isOpen else { throw HDF5Error(file: path, object: "/", message: "file is already closed") }
            let group = H5Gopen2(id, "/", HDF5Library.defaultProperties)
            guard group >= 0 else { throw HDF5Error.failed(file: path, object: "/", "cannot open the root group") }
            return HDF5Group(file: self, path: "/", id: group)
        }
    }

    /// Closes the file (and any group still open in it); throws if HDF5 cannot finish it.
    public func close() throws {
        try HDF5Library.locked {
            guard isOpen else { return }
            isOpen = false
            guard H5Fclose(id) >= 0 else { throw HDF5Error.failed(file: path, object: "", "cannot close (flush) the file") }
        }
    }

    deinit {
        if isOpen { HDF5Library.locked { _ = H5Fclose(id) } }
    }

    /// Writes a new file at `path` atomically: `body` fills the root group of a temporary
    /// file in the same directory, which is then closed and renamed over `path`. On any
    /// failure the temporary is removed and the error rethrown, so `path` holds either its
    /// old content or the complete new file, never a partial one. Parent directories are
    /// created as needed.
    public static func writeAtomically(to path: String, _ body: (HDF5Group) throws -> Void) throws {
        try HDF5Library.locked {
            let temporary = try prepareTemporary(for: path)
            do {
                let file = try create(temporary)
                try fill(file, body)
                try file.close()
                try replace(path, with: temporary)
            } catch {
                unlink(temporary)
                throw error
            }
        }
    }

    /// Changes an existing file atomically: a copy is opened for writing, `body` edits its
    /// root group, and the copy is renamed over `path`. On failure `path` is unchanged.
    public static func updateAtomically(at path: String, _ body: (HDF5Group) throws -> Void) throws {
        try HDF5Library.locked {
            let temporary = try prepareTemporary(for: path)
            do {
                do {
                    try FileManager.default.copyItem(atPath: path, toPath: temporary)
                } catch {
                    throw HDF5Error(file: path, object: "", message: "cannot copy for an update: \(error.localizedDescription)")
                }
                let file = try open(temporary, writable: true)
                try fill(file, body)
                try file.close()
                try replace(path, with: temporary)
            } catch {
                unlink(temporary)
                throw error
            }
        }
    }

    /// Runs `body` on the root group, releasing the group before returning.
    private static func fill(_ file: HDF5File, _ body: (HDF5Group) throws -> Void) throws {
        let root = try file.root()
        try body(root)
    }

    /// Creates `path`'s directory and returns a temporary name beside `path`, unique to
    /// this process and call.
    private static func prepareTemporary(for path: String) throws -> String {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw HDF5Error(file: path, object: "", message: "cannot create directory '\(directory)': \(error.localizedDescription)")
            }
        }
        temporaryCounter += 1
        return "\(path).tmp-\(getpid())-\(temporaryCounter)"
    }

    nonisolated(unsafe) private static var temporaryCounter = 0

    /// Renames `temporary` over `path` (atomic within one file system).
    private static func replace(_ path: String, with temporary: String) throws {
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw HDF5Error(file: path, object: "", message: "cannot move the written file into place: \(reason)")
        }
    }

    /// A file-access property list with the strong close degree, for the duration of `body`.
    private static func withStrongCloseAccess(_ path: String, _ body: (hid_t) throws -> hid_t) throws -> hid_t {
        let access = H5Pcreate(optbench_H5P_FILE_ACCESS())
        guard access >= 0 else { throw HDF5Error.failed(file: path, object: "", "cannot create file-access properties") }
        defer { H5Pclose(access) }
        guard H5Pset_fclose_degree(access, H5F_CLOSE_STRONG) >= 0 else {
            throw HDF5Error.failed(file: path, object: "", "cannot set the file close degree")
        }
        return try body(access)
    }
}
