import CHDF5

/// Scalar attributes on a group: strings (variable-length UTF-8), Double, Int (stored as
/// int64) and UInt64. Setting an attribute that exists replaces it. Readers check the
/// stored type class and convert numbers as HDF5 does (an int64 reads as Double too).
extension HDF5Group {
    /// Sets a string attribute (fixed-length UTF-8, see `HDF5Library.makeStringType`). NUL
    /// characters cannot be stored in HDF5 strings and are replaced by U+FFFD.
    public func setAttribute(_ name: String, _ value: String) throws {
        try HDF5Library.locked {
            let bytes = Array(value.replacingOccurrences(of: "\0", with: "\u{FFFD}").utf8)
            let type = try HDF5Library.makeStringType(bytes: bytes.count)
            defer { H5Tclose(type) }
            let padded = bytes.isEmpty ? [0] : bytes
            try padded.withUnsafeBytes { try writeScalarAttribute(name, fileType: type, memoryType: type, $0.baseAddress!) }
        }
    }

    /// Sets a 64-bit float attribute (NaN and infinities are stored as they are).
    public func setAttribute(_ name: String, _ value: Double) throws {
        var v = value
        try HDF5Library.locked { try writeScalarAttribute(name, fileType: HDF5Library.nativeDouble, memoryType: HDF5Library.nativeDouble, &v) }
    }

    /// Sets a signed 64-bit integer attribute.
    public func setAttribute(_ name: String, _ value: Int) throws {
        var v = Int64(value)
        try HDF5Library.locked { try writeScalarAttribute(name, fileType: HDF5Library.nativeInt64, memoryType: HDF5Library.nativeInt64, &v) }
    }

    /// Sets an unsigned 64-bit integer attribute (seeds).
    public func setAttribute(_ name: String, _ value: UInt64) throws {
        var v = value
        try HDF5Library.locked { try writeScalarAttribute(name, fileType: HDF5Library.nativeUInt64, memoryType: HDF5Library.nativeUInt64, &v) }
    }

    /// Whether attribute `name` exists on this group.
    public func hasAttribute(_ name: String) throws -> Bool {
        try HDF5Library.locked {
            let result = H5Aexists(id, name)
            guard result >= 0 else { throw attributeFailure(name, "cannot check whether the attribute exists") }
            return result > 0
        }
    }

    /// Removes attribute `name` (how a file from before an attribute existed is made in tests).
    public func removeAttribute(_ name: String) throws {
        try HDF5Library.locked {
            guard H5Adelete(id, name) >= 0 else { throw attributeFailure(name, "cannot remove the attribute") }
        }
    }

    /// Names of all attributes, sorted.
    public func attributeNames() throws -> [String] {
        final class Collector { var names: [String] = [] }
        return try HDF5Library.locked {
            let collector = Collector()
            let callback: H5A_operator2_t = { _, name, _, context in
                guard let name, let context else { return -1 }
                Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
                return 0
            }
            var index: hsize_t = 0
            let status = withExtendedLifetime(collector) {
                H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, &index, callback, Unmanaged.passUnretained(collector).toOpaque())
            }
            guard status >= 0 else { throw failure(nil, "cannot list attributes") }
            return collector.names.sorted()
        }
    }

    /// A string attribute (variable- or fixed-length).
    public func stringAttribute(_ name: String) throws -> String {
        try HDF5Library.locked {
            try withAttribute(name) { attribute, type in
                guard H5Tget_class(type) == H5T_STRING else { throw attributeError(name, "must be a string") }
                let isVariable = H5Tis_variable_str(type)
                guard isVariable >= 0 else { throw attributeFailure(name, "has an unreadable string type") }
                if isVariable > 0 {
                    var pointer: UnsafeMutablePointer<CChar>? = nil
                    guard H5Aread(attribute, type, &pointer) >= 0 else { throw attributeFailure(name, "cannot be read") }
                    defer { if let pointer { H5free_memory(pointer) } }
                    return pointer.map { String(cString: $0) } ?? ""
                }
                let size = H5Tget_size(type)
                guard size > 0, size <= file.readLimit else {
                    throw attributeError(name, "declares a string of \(size) bytes, more than its file holds (corrupt)")
                }
                var buffer = [UInt8](repeating: 0, count: size + 1)
                guard H5Aread(attribute, type, &buffer) >= 0 else { throw attributeFailure(name, "cannot be read") }
                return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
    }

    /// A number attribute (integer or float) as Double.
    public func doubleAttribute(_ name: String) throws -> Double {
        try HDF5Library.locked {
            try withAttribute(name) { attribute, type in
                let typeClass = H5Tget_class(type)
                guard typeClass == H5T_INTEGER || typeClass == H5T_FLOAT else { throw attributeError(name, "must be a number") }
                var value = 0.0
                guard H5Aread(attribute, HDF5Library.nativeDouble, &value) >= 0 else {
                    throw attributeFailure(name, "cannot be read as a number")
                }
                return value
            }
        }
    }

    /// An integer attribute as Int; an unsigned value above `Int.max` throws (HDF5 itself
    /// would silently clamp it).
    public func intAttribute(_ name: String) throws -> Int {
        switch try integerAttribute(name) {
        case .signed(let value): return Int(value)
        case .unsigned(let value):
            guard let result = Int(exactly: value) else { throw attributeError(name, "value \(value) does not fit a signed 64-bit integer") }
            return result
        }
    }

    /// An integer attribute as UInt64; a negative value throws.
    public func uint64Attribute(_ name: String) throws -> UInt64 {
        switch try integerAttribute(name) {
        case .unsigned(let value): return value
        case .signed(let value):
            guard let result = UInt64(exactly: value) else { throw attributeError(name, "value \(value) is negative, expected an unsigned integer") }
            return result
        }
    }

    // MARK: - Plumbing

    private func writeScalarAttribute(_ name: String, fileType: hid_t, memoryType: hid_t, _ value: UnsafeRawPointer) throws {
        guard !name.isEmpty, !name.contains("\0") else { throw attributeError(name, "is not a valid attribute name") }
        if try hasAttribute(name) {
            guard H5Adelete(id, name) >= 0 else { throw attributeFailure(name, "cannot replace the existing attribute") }
        }
        let space = H5Screate(H5S_SCALAR)
        guard space >= 0 else { throw attributeFailure(name, "cannot create a scalar dataspace") }
        defer { H5Sclose(space) }
        let p = HDF5Library.defaultProperties
        let attribute = H5Acreate2(id, name, fileType, space, p, p)
        guard attribute >= 0 else { throw attributeFailure(name, "cannot create the attribute") }
        defer { H5Aclose(attribute) }
        guard H5Awrite(attribute, memoryType, value) >= 0 else { throw attributeFailure(name, "cannot write the attribute") }
    }

    private enum IntegerValue {
        case signed(Int64)
        case unsigned(UInt64)
    }

    /// Reads an integer attribute in 64 bits of its own signedness, so nothing is clamped.
    private func integerAttribute(_ name: String) throws -> IntegerValue {
        try HDF5Library.locked {
            try withAttribute(name) { attribute, type in
                guard H5Tget_class(type) == H5T_INTEGER else { throw attributeError(name, "must be an integer") }
                if H5Tget_sign(type) == H5T_SGN_NONE {
                    var value: UInt64 = 0
                    guard H5Aread(attribute, HDF5Library.nativeUInt64, &value) >= 0 else { throw attributeFailure(name, "cannot be read") }
                    return .unsigned(value)
                }
                var value: Int64 = 0
                guard H5Aread(attribute, HDF5Library.nativeInt64, &value) >= 0 else { throw attributeFailure(name, "cannot be read") }
                return .signed(value)
            }
        }
    }

    /// Opens attribute `name`, checks it holds one value, and passes it with its stored type.
    private func withAttribute<T>(_ name: String, _ body: (hid_t, hid_t) throws -> T) throws -> T {
        guard try hasAttribute(name) else { throw attributeError(name, "is missing") }
        let attribute = H5Aopen(id, name, HDF5Library.defaultProperties)
        guard attribute >= 0 else { throw attributeFailure(name, "cannot be opened") }
        defer { H5Aclose(attribute) }
        let space = H5Aget_space(attribute)
        guard space >= 0 else { throw attributeFailure(name, "has an unreadable dataspace") }
        defer { H5Sclose(space) }
        guard H5Sget_simple_extent_npoints(space) == 1 else { throw attributeError(name, "must hold exactly one value") }
        let type = H5Aget_type(attribute)
        guard type >= 0 else { throw attributeFailure(name, "has an unreadable type") }
        defer { H5Tclose(type) }
        return try body(attribute, type)
    }

    private func attributeError(_ name: String, _ message: String) -> HDF5Error {
        HDF5Error(file: file.path, object: path, message: "attribute '\(name)' \(message)")
    }

    private func attributeFailure(_ name: String, _ message: String) -> HDF5Error {
        HDF5Error.failed(file: file.path, object: path, "attribute '\(name)' \(message)")
    }
}
