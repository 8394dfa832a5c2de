import CHDF5
import Foundation

/// One-dimensional datasets in a group: Double (float64), Float (float32), Int (int64)
/// and String (variable-length UTF-8) columns. Zero-length datasets are allowed and read
/// back as empty arrays. Writing a dataset that exists throws; readers check the rank
/// and the stored type class.
extension HDF5Group {
    /// Writes `values` as a float64 dataset.
    public func writeDataset(_ name: String, _ values: [Double]) throws {
        try HDF5Library.locked {
            try values.withUnsafeBytes { try writeColumn(name, count: values.count, type: HDF5Library.nativeDouble, $0.baseAddress) }
        }
    }

    /// Writes `values` as a float32 dataset.
    public func writeDataset(_ name: String, _ values: [Float]) throws {
        try HDF5Library.locked {
            try values.withUnsafeBytes { try writeColumn(name, count: values.count, type: HDF5Library.nativeFloat, $0.baseAddress) }
        }
    }

    /// Writes `values` as an int64 dataset.
    public func writeDataset(_ name: String, _ values: [Int]) throws {
        let wide = values.map(Int64.init)
        try HDF5Library.locked {
            try wide.withUnsafeBytes { try writeColumn(name, count: wide.count, type: HDF5Library.nativeInt64, $0.baseAddress) }
        }
    }

    /// Writes `values` as a fixed-length UTF-8 string dataset, each element as long as the
    /// longest value and NUL-padded (see `HDF5Library.makeStringType`; NUL becomes U+FFFD).
    public func writeDataset(_ name: String, _ values: [String]) throws {
        try HDF5Library.locked {
            let encoded = values.map { Array($0.replacingOccurrences(of: "\0", with: "\u{FFFD}").utf8) }
            let width = max(1, encoded.map(\.count).max() ?? 1)
            let type = try HDF5Library.makeStringType(bytes: width)
            defer { H5Tclose(type) }
            var buffer = [UInt8](repeating: 0, count: width * values.count)
            for (index, bytes) in encoded.enumerated() { buffer.replaceSubrange((index * width)..<(index * width + bytes.count), with: bytes) }
            try buffer.withUnsafeBytes { try writeColumn(name, count: values.count, type: type, $0.baseAddress) }
        }
    }

    /// A float64 (or any numeric, converted) dataset.
    public func doubleDataset(_ name: String) throws -> [Double] {
        try readNumbers(name, zero: 0.0, type: HDF5Library.nativeDouble, allowFloat: true)
    }

    /// A float32 (or any numeric, converted) dataset.
    public func floatDataset(_ name: String) throws -> [Float] {
        try readNumbers(name, zero: Float(0), type: HDF5Library.nativeFloat, allowFloat: true)
    }

    /// An integer dataset as Int; unsigned values above `Int.max` throw (HDF5 itself
    /// would silently clamp them).
    public func intDataset(_ name: String) throws -> [Int] {
        let isUnsigned = try HDF5Library.locked { try withColumn(name) { _, type, _ in H5Tget_sign(type) == H5T_SGN_NONE } }
        guard isUnsigned else {
            return try readNumbers(name, zero: Int64(0), type: HDF5Library.nativeInt64, allowFloat: false).map { Int($0) }
        }
        return try readNumbers(name, zero: UInt64(0), type: HDF5Library.nativeUInt64, allowFloat: false).map {
            guard let value = Int(exactly: $0) else { throw datasetError(name, "value \($0) does not fit a signed 64-bit integer") }
            return value
        }
    }

    /// A string dataset (variable- or fixed-length).
    public func stringDataset(_ name: String) throws -> [String] {
        try HDF5Library.locked {
            try withColumn(name) { dataset, type, count in
                guard H5Tget_class(type) == H5T_STRING else { throw datasetError(name, "must hold strings") }
                guard count > 0 else { return [] }
                let isVariable = H5Tis_variable_str(type)
                guard isVariable >= 0 else { throw failure(name, "has an unreadable string type") }
                let all = HDF5Library.allSelection
                if isVariable > 0 {
                    // Each element is at least a 16-byte global-heap reference in the file.
                    guard count <= file.readLimit / 16 else {
                        throw datasetError(name, "declares \(count) strings, more than its file holds (corrupt)")
                    }
                    var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                    guard H5Dread(dataset, type, all, all, HDF5Library.defaultProperties, &pointers) >= 0 else {
                        throw failure(name, "cannot be read")
                    }
                    defer { pointers.forEach { if let p = $0 { H5free_memory(p) } } }
                    return pointers.map { $0.map { String(cString: $0) } ?? "" }
                }
                let size = H5Tget_size(type)
                let (total, overflow) = size.multipliedReportingOverflow(by: count)
                guard size > 0, !overflow, total <= file.readLimit else {
                    throw datasetError(name, "declares \(count) strings of \(size) bytes, more than its file holds (corrupt)")
                }
                var buffer = [UInt8](repeating: 0, count: total)
                guard H5Dread(dataset, type, all, all, HDF5Library.defaultProperties, &buffer) >= 0 else {
                    throw failure(name, "cannot be read")
                }
                return (0..<count).map { i in
                    String(decoding: buffer[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }, as: UTF8.self)
                }
            }
        }
    }

    /// The number of elements of 1-D dataset `name`.
    public func datasetCount(_ name: String) throws -> Int {
        try HDF5Library.locked { try withColumn(name) { _, _, count in count } }
    }

    // MARK: - Plumbing

    private func writeColumn(_ name: String, count: Int, type: hid_t, _ data: UnsafeRawPointer?) throws {
        try Self.validate(name, in: self)
        guard try !contains(name) else { throw datasetError(name, "already exists") }
        var dimensions = [hsize_t(count)]
        let space = H5Screate_simple(1, &dimensions, nil)
        guard space >= 0 else { throw failure(name, "cannot create a dataspace of \(count) elements") }
        defer { H5Sclose(space) }
        let p = HDF5Library.defaultProperties
        let dataset = H5Dcreate2(id, name, type, space, p, p, p)
        guard dataset >= 0 else { throw failure(name, "cannot create the dataset") }
        defer { H5Dclose(dataset) }
        // A zero-length dataset needs no write (and HDF5 rejects a null buffer).
        guard count > 0, let data else { return }
        let all = HDF5Library.allSelection
        guard H5Dwrite(dataset, type, all, all, p, data) >= 0 else { throw failure(name, "cannot write the dataset") }
    }

    private func readNumbers<T>(_ name: String, zero: T, type memoryType: hid_t, allowFloat: Bool) throws -> [T] {
        try HDF5Library.locked {
            try withColumn(name) { dataset, type, count in
                let typeClass = H5Tget_class(type)
                guard typeClass == H5T_INTEGER || (allowFloat && typeClass == H5T_FLOAT) else {
                    throw datasetError(name, allowFloat ? "must hold numbers" : "must hold integers")
                }
                let (total, overflow) = count.multipliedReportingOverflow(by: max(1, H5Tget_size(type)))
                guard !overflow, total <= file.readLimit else {
                    throw datasetError(name, "declares \(count) elements, more than its file holds (corrupt)")
                }
                var values = [T](repeating: zero, count: count)
                guard count > 0 else { return values }
                let all = HDF5Library.allSelection
                let status = values.withUnsafeMutableBytes {
                    H5Dread(dataset, memoryType, all, all, HDF5Library.defaultProperties, $0.baseAddress)
                }
                guard status >= 0 else { throw failure(name, "cannot be read") }
                return values
            }
        }
    }

    /// Opens 1-D dataset `name` and passes it with its stored type and element count.
    private func withColumn<T>(_ name: String, _ body: (hid_t, hid_t, Int) throws -> T) throws -> T {
        guard try kind(of: name) == .dataset else { throw datasetError(name, "is not a dataset") }
        let dataset = H5Dopen2(id, name, HDF5Library.defaultProperties)
        guard dataset >= 0 else { throw failure(name, "cannot be opened") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw failure(name, "has an unreadable dataspace") }
        defer { H5Sclose(space) }
        guard H5Sget_simple_extent_ndims(space) == 1 else { throw datasetError(name, "must be one-dimensional") }
        var dimensions: [hsize_t] = [0]
        guard H5Sget_simple_extent_dims(space, &dimensions, nil) == 1 else { throw failure(name, "has unreadable dimensions") }
        guard let count = Int(exactly: dimensions[0]) else { throw datasetError(name, "declares \(dimensions[0]) elements (corrupt)") }
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw failure(name, "has an unreadable type") }
        defer { H5Tclose(type) }
        return try body(dataset, type, count)
    }

    private func datasetError(_ name: String, _ message: String) -> HDF5Error {
        HDF5Error(file: file.path, object: childPath(name), message: message)
    }
}
