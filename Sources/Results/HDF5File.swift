import CHDF5
import Core
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

    /// The most bytes a reader may allocate for one value of this file: its size on disk
    /// (see `HDF5Library.readLimit`).
    var readLimit: Int {
        var size: hsize_t = 0
        let fileBytes = HDF5Library.locked { H5Fget_filesize(id, &size) } >= 0 ? Int(clamping: size) : 0
        return HDF5Library.readLimit(fileBytes: fileBytes)
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

    /// Writes a new file at `path` atomically: `body` fills the root group of a file built
    /// in memory (HDF5's core driver, no backing store); its bytes are then written under
    /// a temporary name in the same directory, synced, and renamed over `path`. On any
    /// failure the temporary is removed and the error rethrown, so `path` holds either its
    /// old content or the complete new file, never a partial one. Parent directories are
    /// created as needed.
    ///
    /// HDF5 itself never writes to disk here: a full disk or a file-size limit is an
    /// `HDF5Error` naming the path and the system's reason, and nothing is left for
    /// HDF5's exit handler to flush (which, with a file open on a full disk, segfaults).
    public static func writeAtomically(to path: String, _ body: (HDF5Group) throws -> Void) throws {
        try HDF5Library.locked {
            let image = try buildImage(name: path, from: nil, body)
            try writeBytes(image, atomicallyTo: path)
        }
    }

    /// Changes an existing file atomically: its bytes are read and opened in memory,
    /// `body` edits the root group, and the new image replaces `path` as in
    /// `writeAtomically`. On failure `path` is unchanged.
    public static func updateAtomically(at path: String, _ body: (HDF5Group) throws -> Void) throws {
        try HDF5Library.locked {
            guard let original = FileManager.default.contents(atPath: path) else {
                throw HDF5Error(file: path, object: "", message: "cannot be read for an update (missing or unreadable)")
            }
            let image = try buildImage(name: path, from: [UInt8](original), body)
            try writeBytes(image, atomicallyTo: path)
        }
    }

    /// A file built in memory — new, or opened from `existing` bytes — filled by `body`,
    /// returned as the bytes of a complete HDF5 file.
    private static func buildImage(name: String, from existing: [UInt8]?, _ body: (HDF5Group) throws -> Void) throws -> [UInt8] {
        let access = H5Pcreate(optbench_H5P_FILE_ACCESS())
        guard access >= 0 else { throw HDF5Error.failed(file: name, object: "", "cannot create file-access properties") }
        defer { H5Pclose(access) }
        guard H5Pset_fclose_degree(access, H5F_CLOSE_STRONG) >= 0, H5Pset_fapl_core(access, 1 << 20, false) >= 0 else {
            throw HDF5Error.failed(file: name, object: "", "cannot set up an in-memory file")
        }
        // HDF5 knows open files by name: a name of its own keeps an in-memory file from
        // clashing with the same path opened from disk elsewhere in this process.
        temporaryCounter += 1
        let memoryName = "\(name)#in-memory-\(getpid())-\(temporaryCounter)"
        let id: hid_t
        if var bytes = existing {
            guard bytes.withUnsafeMutableBytes({ H5Pset_file_image(access, $0.baseAddress, $0.count) }) >= 0 else {
                throw HDF5Error.failed(file: name, object: "", "cannot load the file's bytes into memory")
            }
            id = H5Fopen(memoryName, optbench_H5F_ACC_RDWR(), access)
            guard id >= 0 else { throw HDF5Error.failed(file: name, object: "", "cannot be opened as HDF5 (not an HDF5 file, truncated or corrupt)") }
        } else {
            id = H5Fcreate(memoryName, optbench_H5F_ACC_TRUNC(), HDF5Library.defaultProperties, access)
            guard id >= 0 else { throw HDF5Error.failed(file: name, object: "", "cannot create an in-memory HDF5 file") }
        }
        let file = HDF5File(path: name, id: id)
        try fill(file, body)
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error.failed(file: name, object: "", "cannot flush the in-memory file") }
        let size = H5Fget_file_image(id, nil, 0)
        guard size > 0 else { throw HDF5Error.failed(file: name, object: "", "cannot take the in-memory file's image") }
        var image = [UInt8](repeating: 0, count: size)
        let copied = image.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
        guard copied == size else { throw HDF5Error.failed(file: name, object: "", "cannot copy the in-memory file's image") }
        try file.close()
        return image
    }

    /// Runs `body` on the root group, releasing the group before returning.
    private static func fill(_ file: HDF5File, _ body: (HDF5Group) throws -> Void) throws {
        let root = try file.root()
        try body(root)
    }

    /// Writes `bytes` to a temporary beside `path` (created exclusively), syncs it, and
    /// renames it over `path`; the temporary is removed on any failure.
    static func writeBytes(_ bytes: [UInt8], atomicallyTo path: String) throws {
        let temporary = try prepareTemporary(for: path)
        func failure(_ what: String) -> HDF5Error {
            HDF5Error(file: path, object: "", message: "\(what): \(String(cString: strerror(errno)))")
        }
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create the temporary file '\(temporary)'") }
        var isClosed = false
        do {
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
                if result < 0, errno == EINTR { continue }
                guard result > 0 else { throw failure("cannot write (wrote \(written) of \(bytes.count) bytes)") }
                written += result
            }
            guard fsync(descriptor) == 0 else { throw failure("cannot sync to disk") }
            isClosed = true
            guard Glibc.close(descriptor) == 0 else { throw failure("cannot finish writing") }
        } catch {
            if !isClosed { Glibc.close(descriptor) }
            unlink(temporary)
            throw error
        }
        do {
            try replace(path, with: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Creates `path`'s directory and returns a temporary name beside `path`, unique to
    /// this process and call.
    private static func prepareTemporary(for path: String) throws -> String {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, let failure = FileAccess.createFolders(directory) {
            throw HDF5Error(file: path, object: "", message: "cannot create directory '\(failure.folder)': \(failure.reason)")
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
