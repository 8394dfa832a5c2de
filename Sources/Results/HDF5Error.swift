/// A failure of an HDF5 operation: which file, which object inside it, and what went wrong
/// (with HDF5's own most specific messages appended when it has any).
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    /// The file's path on disk.
    public let file: String
    /// The object's path inside the file ("/trials/external/adamw"), or "" for the file.
    public let object: String
    public let message: String

    public init(file: String, object: String, message: String) {
        self.file = file
        self.object = object
        self.message = message
    }

    public var description: String {
        let location = object.isEmpty ? file : "\(file): \(object)"
        return location.isEmpty ? message : "\(location): \(message)"
    }

    /// An error for a call that just failed, with HDF5's error stack appended.
    static func failed(file: String, object: String, _ message: String) -> HDF5Error {
        let detail = HDF5Library.errorStackDescription()
        return HDF5Error(file: file, object: object, message: detail.isEmpty ? message : "\(message) (HDF5: \(detail))")
    }
}
