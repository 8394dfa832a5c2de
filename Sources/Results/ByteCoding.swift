import Foundation

/// Appends values to a byte buffer in a fixed little-endian form: integers as 8 bytes,
/// floating-point numbers as their bit patterns (so NaN payloads and signed zeros
/// survive), strings and arrays as an 8-byte count followed by their elements.
///
/// Used for the lossless byte form of results (`ResultsContents.encoded()`), which carries
/// what an isolated reader process read back to its parent and feeds each trial's digest.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ value: Int) { append(UInt64(bitPattern: Int64(value))) }
    mutating func append(_ value: Double) { append(value.bitPattern) }
    mutating func append(_ value: Float) { append(UInt64(value.bitPattern)) }
    mutating func append(_ value: Bool) { append(value ? 1 : 0) }

    mutating func append(_ text: String) {
        let utf8 = Array(text.utf8)
        append(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// An optional as a presence flag followed by the value.
    mutating func append<T>(_ value: T?, _ appendValue: (inout ByteWriter, T) -> Void) {
        append(value != nil)
        if let value { appendValue(&self, value) }
    }

    mutating func append<T>(_ values: [T], _ appendElement: (inout ByteWriter, T) -> Void) {
        append(values.count)
        for value in values { appendElement(&self, value) }
    }
}

/// Reads what `ByteWriter` wrote, checking every length against the bytes left before
/// allocating, so truncated or corrupt input is an error, never a trap or a huge allocation.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func uint64() throws -> UInt64 {
        guard bytes.count - offset >= 8 else { throw ByteCodingError.truncated(at: offset) }
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += 8
        return value
    }

    mutating func int() throws -> Int { Int(Int64(bitPattern: try uint64())) }
    mutating func double() throws -> Double { Double(bitPattern: try uint64()) }

    mutating func float() throws -> Float {
        let bits = try uint64()
        guard let narrow = UInt32(exactly: bits) else { throw ByteCodingError.invalid("a float's bits do not fit 32 bits", at: offset) }
        return Float(bitPattern: narrow)
    }

    mutating func bool() throws -> Bool {
        switch try uint64() {
        case 0: return false
        case 1: return true
        default: throw ByteCodingError.invalid("a flag is neither 0 nor 1", at: offset)
        }
    }

    mutating func string() throws -> String {
        let count = try count(elementBytes: 1)
        defer { offset += count }
        return String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
    }

    mutating func optional<T>(_ readValue: (inout ByteReader) throws -> T) throws -> T? {
        try bool() ? readValue(&self) : nil
    }

    /// An array whose elements take at least `elementBytes` bytes each.
    mutating func array<T>(elementBytes: Int = 8, _ readElement: (inout ByteReader) throws -> T) throws -> [T] {
        let count = try count(elementBytes: elementBytes)
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readElement(&self)) }
        return values
    }

    /// A count that the remaining bytes can hold at `elementBytes` each.
    private mutating func count(elementBytes: Int) throws -> Int {
        let value = try int()
        guard value >= 0, value <= (bytes.count - offset) / max(1, elementBytes) else {
            throw ByteCodingError.invalid("a count of \(value) exceeds the bytes left", at: offset)
        }
        return value
    }
}

/// Why bytes could not be decoded.
enum ByteCodingError: Error, CustomStringConvertible {
    case truncated(at: Int)
    case invalid(String, at: Int)

    var description: String {
        switch self {
        case .truncated(let offset): "truncated at byte \(offset)"
        case .invalid(let what, let offset): "\(what) (byte \(offset))"
        }
    }
}
