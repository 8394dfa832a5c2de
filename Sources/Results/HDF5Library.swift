import CHDF5
import Foundation

/// Process-wide access to the HDF5 C library: one lock around every call, quiet error
/// printing, and the constants Swift cannot import from HDF5's macros.
///
/// The lock makes the wrappers safe to use from several threads (the suite runner reads
/// and writes trial files from its worker threads) even with an HDF5 build that is not
/// thread-safe. It is recursive, so a wrapper may call another while holding it.
public enum HDF5Library {
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var initialised = false

    /// Runs `body` holding the HDF5 lock, after making sure HDF5 does not print its error
    /// stack to stderr on this thread (failures are reported as thrown `HDF5Error`s instead).
    public static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        if !initialised {
            H5open()
            initialised = true
        }
        // The error-printing setting is per thread in thread-safe HDF5 builds, so it is
        // switched off on whichever thread gets here (a cheap call).
        H5Eset_auto2(optbench_H5E_DEFAULT(), nil, nil)
        return try body()
    }

    /// The version of the linked HDF5 library, e.g. "1.10.8".
    public static var version: String {
        locked {
            var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
            H5get_libversion(&major, &minor, &release)
            return "\(major).\(minor).\(release)"
        }
    }

    /// The innermost descriptions on HDF5's current error stack (most specific first),
    /// joined; empty when the stack is empty. Call right after a failing HDF5 call.
    static func errorStackDescription() -> String {
        final class Collector { var messages: [String] = [] }
        let collector = Collector()
        let callback: H5E_walk2_t = { _, error, context in
            guard let error, let context, let description = error.pointee.desc else { return 0 }
            let box = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
            box.messages.append(String(cString: description))
            return 0
        }
        withExtendedLifetime(collector) {
            _ = H5Ewalk2(optbench_H5E_DEFAULT(), H5E_WALK_UPWARD, callback, Unmanaged.passUnretained(collector).toOpaque())
        }
        var unique: [String] = []
        for message in collector.messages where !unique.contains(message) { unique.append(message) }
        return unique.prefix(3).joined(separator: "; ")
    }

    // Constants hidden behind macros in the C headers.
    static var defaultProperties: hid_t { optbench_H5P_DEFAULT() }
    static var allSelection: hid_t { optbench_H5S_ALL() }
    static var nativeDouble: hid_t { optbench_H5T_NATIVE_DOUBLE() }
    static var nativeFloat: hid_t { optbench_H5T_NATIVE_FLOAT() }
    static var nativeInt64: hid_t { optbench_H5T_NATIVE_INT64() }
    static var nativeUInt64: hid_t { optbench_H5T_NATIVE_UINT64() }

    /// A new fixed-length UTF-8 string type of `bytes` bytes (at least 1), padded with NUL;
    /// the caller closes it.
    ///
    /// Strings are written fixed-length, never variable-length: a variable-length string
    /// lives in HDF5's global heap, and libhdf5 (1.10) crashes or hangs reading a corrupt
    /// global heap (`H5HG_read`), while a fixed-length value sits in the attribute's or
    /// dataset's own storage, whose size the reader checks before allocating.
    static func makeStringType(bytes: Int) throws -> hid_t {
        let type = H5Tcopy(optbench_H5T_C_S1())
        guard type >= 0 else { throw HDF5Error(file: "", object: "", message: "cannot create a string type") }
        guard H5Tset_size(type, max(1, bytes)) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0,
            H5Tset_strpad(type, H5T_STR_NULLPAD) >= 0
        else {
            H5Tclose(type)
            throw HDF5Error(file: "", object: "", message: "cannot configure a fixed-length UTF-8 string type of \(bytes) bytes")
        }
        return type
    }

    /// The largest string, attribute or dataset buffer a reader allocates: a value cannot
    /// hold more bytes than its file (compression is never used in results files), so a
    /// declared size beyond the file's own size is corruption, refused before allocating.
    static func readLimit(fileBytes: Int) -> Int { max(fileBytes, 4096) }
}
