import CHDF5

/// An open group in an `HDF5File`: children (groups, datasets) and attributes.
///
/// Attribute and dataset helpers are in HDF5Attributes.swift and HDF5Datasets.swift.
/// A group keeps its file alive; it closes itself when released.
public final class HDF5Group {
    /// The file this group is in.
    public let file: HDF5File
    /// The group's absolute path in the file ("/" for the root).
    public let path: String
    let id: hid_t

    init(file: HDF5File, path: String, id: hid_t) {
        self.file = file
        self.path = path
        self.id = id
    }

    deinit {
        HDF5Library.locked {
            if file.isOpen { _ = H5Gclose(id) }
        }
    }

    /// What kind of object a child link leads to.
    public enum ChildKind: Sendable, Equatable {
        case group
        case dataset
        case other
    }

    /// The absolute path of child `name`.
    public func childPath(_ name: String) -> String { path == "/" ? "/\(name)" : "\(path)/\(name)" }

    /// A new child group `name`; throws if it exists.
    public func createGroup(_ name: String) throws -> HDF5Group {
        try HDF5Library.locked {
            try Self.validate(name, in: self)
            let p = HDF5Library.defaultProperties
            let group = H5Gcreate2(id, name, p, p, p)
            guard group >= 0 else { throw failure(name, "cannot create group") }
            return HDF5Group(file: file, path: childPath(name), id: group)
        }
    }

    /// Child group `name`, created if absent.
    public func group(_ name: String) throws -> HDF5Group {
        try HDF5Library.locked { try contains(name) ? openGroup(name) : createGroup(name) }
    }

    /// The existing child group `name`; throws naming the path when it is absent or not a group.
    public func openGroup(_ name: String) throws -> HDF5Group {
        try HDF5Library.locked {
            guard try kind(of: name) == .group else {
                throw HDF5Error(file: file.path, object: childPath(name), message: "is not a group")
            }
            let group = H5Gopen2(id, name, HDF5Library.defaultProperties)
            guard group >= 0 else { throw failure(name, "cannot open group") }
            return HDF5Group(file: file, path: childPath(name), id: group)
        }
    }

    /// Whether a child link `name` exists (a single name, not a path).
    public func contains(_ name: String) throws -> Bool {
        try HDF5Library.locked {
            try Self.validate(name, in: self)
            let result = H5Lexists(id, name, HDF5Library.defaultProperties)
            guard result >= 0 else { throw failure(name, "cannot check whether it exists") }
            return result > 0
        }
    }

    /// The kind of child `name`; throws when it is absent.
    public func kind(of name: String) throws -> ChildKind {
        try HDF5Library.locked {
            guard try contains(name) else {
                throw HDF5Error(file: file.path, object: childPath(name), message: "is missing")
            }
            let object = H5Oopen(id, name, HDF5Library.defaultProperties)
            guard object >= 0 else { throw failure(name, "cannot be opened") }
            defer { H5Oclose(object) }
            switch H5Iget_type(object) {
            case H5I_GROUP: return .group
            case H5I_DATASET: return .dataset
            default: return .other
            }
        }
    }

    /// Names of all children (groups, datasets, other links), sorted by name.
    public func childNames() throws -> [String] {
        try HDF5Library.locked {
            var info = H5G_info_t()
            guard H5Gget_info(id, &info) >= 0 else { throw failure(nil, "cannot list the group's members") }
            guard info.nlinks <= 1_000_000 else {
                throw HDF5Error(file: file.path, object: path, message: "declares \(info.nlinks) members (corrupt)")
            }
            var names: [String] = []
            names.reserveCapacity(Int(info.nlinks))
            for index in 0..<info.nlinks {
                names.append(try linkName(at: index))
            }
            return names.sorted()
        }
    }

    /// Names of the child groups only, sorted.
    public func groupNames() throws -> [String] {
        try HDF5Library.locked { try childNames().filter { try kind(of: $0) == .group } }
    }

    /// Removes child `name` (its space in the file is not reclaimed until the file is copied).
    public func remove(_ name: String) throws {
        try HDF5Library.locked {
            guard H5Ldelete(id, name, HDF5Library.defaultProperties) >= 0 else { throw failure(name, "cannot remove") }
        }
    }

    private func linkName(at index: hsize_t) throws -> String {
        let p = HDF5Library.defaultProperties
        let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, p)
        guard length >= 0 else { throw failure(nil, "cannot read the name of member \(index)") }
        guard length <= 65_536 else { throw HDF5Error(file: file.path, object: path, message: "member \(index) has a name of \(length) bytes (corrupt)") }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        guard H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, p) >= 0 else {
            throw failure(nil, "cannot read the name of member \(index)")
        }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An error about child `name` (or the group itself) carrying HDF5's error stack.
    func failure(_ name: String?, _ message: String) -> HDF5Error {
        HDF5Error.failed(file: file.path, object: name.map(childPath) ?? path, message)
    }

    /// Member names are single, non-empty link names: no "/", not "." or "..".
    static func validate(_ name: String, in group: HDF5Group) throws {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.contains("\0") else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "'\(name)' is not a valid member name (must be non-empty, without '/' or NUL, not '.' or '..')")
        }
    }
}
