import Foundation

/// A parsed JSON value: what spec, profile and search-space files are read into before
/// they are validated field by field.
public enum JSONValue: Sendable, Equatable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    /// Parses UTF-8 JSON text; `source` names the file in errors.
    ///
    /// Decoding goes through `JSONDecoder`, which rounds decimal numbers correctly; Linux
    /// Foundation's `JSONSerialization` can be off in the last bit (it read
    /// `3.0000000000000004e-08` as `3.000000000000001e-08`), which would break bit-for-bit
    /// reproducibility of hyperparameters handed from `optbench run` to its trials.
    ///
    /// A key given twice in one object is an error: the decoder would keep one of the two
    /// silently, so `"step_hint": 10, "step_hint": 1e300` would pass unseen.
    public static func parse(_ data: Data, source: String) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw InputError(source: source, field: nil, message: "is not valid JSON (\(Self.describe(error)))")
        }
        if let key = duplicateKey(in: Array(data)) {
            throw InputError(source: source, field: key, message: "appears twice in one object")
        }
        return value
    }

    /// The first key (as written, between its quotes) that appears twice in one object of
    /// `bytes`, which must be valid JSON; nil when there is none.
    static func duplicateKey(in bytes: [UInt8]) -> String? {
        var objects: [Set<[UInt8]>?] = []  // one entry per open object (its keys) or array (nil)
        var expectingKey = false
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"): objects.append([]); expectingKey = true
            case UInt8(ascii: "["): objects.append(nil); expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = objects.popLast(); expectingKey = false
            case UInt8(ascii: ","): expectingKey = objects.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                let start = index + 1
                index = start
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard expectingKey, let top = objects.indices.last else { break }
                let key = Array(bytes[start..<min(index, bytes.count)])
                if objects[top]?.contains(key) == true { return String(decoding: key, as: UTF8.self) }
                objects[top]?.insert(key)
                expectingKey = false
            default: break
            }
            index += 1
        }
        return nil
    }

    /// Reads and parses a JSON file; a missing file, a folder or an unreadable file is an
    /// `InputError` naming the path and the reason (see `FileAccess.contents(of:)`).
    public static func load(contentsOf path: String) throws -> JSONValue {
        try parse(FileAccess.contents(of: path), source: path)
    }

    private static func describe(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return FileAccess.reason(for: error) }
        switch decoding {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return [context.debugDescription, underlying].compactMap { $0 }.joined(separator: ": ")
        @unknown default:
            return "\(decoding)"
        }
    }

    /// A short name of the value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .bool: "boolean"
        case .array: "array"
        case .object: "object"
        case .null: "null"
        }
    }

    /// Serialises to compact JSON with sorted keys (stable output for files and hashes).
    public var serialized: String {
        switch self {
        case .number(let x):
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return x.isFinite ? "\(x)" : "null"
        case .string(let s): return JSONValue.quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let a): return "[" + a.map(\.serialized).joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { "\(JSONValue.quote($0)):\(o[$0]!.serialized)" }.joined(separator: ",") + "}"
        }
    }

    /// Serialises with two-space indentation and sorted keys, one field per line (how
    /// spec files are written back by `optbench calibrate`); arrays of plain values stay
    /// on one line.
    public func formatted(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 2), close = String(repeating: " ", count: indent)
        switch self {
        case .array(let items) where items.contains(where: { if case .object = $0 { return true }; if case .array = $0 { return true }; return false }):
            return "[\n" + items.map { pad + $0.formatted(indent: indent + 2) }.joined(separator: ",\n") + "\n" + close + "]"
        case .object(let fields) where !fields.isEmpty:
            let lines = fields.keys.sorted().map { key in
                pad + JSONValue.quote(key) + ": " + (fields[key] ?? .null).formatted(indent: indent + 2)
            }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + close + "}"
        default:
            return serialized
        }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension JSONValue: Decodable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let x = try? container.decode(Double.self) {
            self = .number(x)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

/// Bad user input: names the file (or argument), the field and what was expected.
public struct InputError: Error, CustomStringConvertible, Equatable {
    public let source: String
    public let field: String?
    public let message: String

    public init(source: String, field: String?, message: String) {
        self.source = source
        self.field = field
        self.message = message
    }

    /// "source: field 'field' message"; a source or field holding control or format
    /// characters (a hostile path or JSON key) is shown escaped, so it cannot forge lines.
    public var description: String {
        let shownSource = Self.shown(source)
        if let field, !field.isEmpty { return "\(shownSource): field '\(Self.shown(field))' \(message)" }
        return "\(shownSource): \(message)"
    }

    private static func shown(_ text: String) -> String {
        let hostile = text.unicodeScalars.contains { scalar in
            let category = scalar.properties.generalCategory
            return category == .control || category == .format
        }
        return hostile ? PlainName.escaped(text) : text
    }
}

/// Strict, field-by-field reading of a JSON object: every field read is checked for
/// type, and `finish()` rejects keys nobody read, so a typo in a spec is an error.
public struct JSONObjectReader {
    public let source: String
    public let path: String
    private let fields: [String: JSONValue]
    private var consumed: Set<String> = []

    /// Reads `value` as an object; `path` is the object's own field path ("" at the top).
    public init(_ value: JSONValue, source: String, path: String = "") throws {
        guard case .object(let fields) = value else {
            throw InputError(source: source, field: path, message: "must be an object, found \(value.typeName)")
        }
        self.source = source
        self.path = path
        self.fields = fields
    }

    /// All keys present, sorted.
    public var keys: [String] { fields.keys.sorted() }

    /// The full path of a child field, for messages.
    public func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value of an optional field.
    public mutating func optionalValue(_ key: String) -> JSONValue? {
        consumed.insert(key)
        return fields[key]
    }

    /// The raw value of a required field.
    public mutating func value(_ key: String) throws -> JSONValue {
        guard let v = optionalValue(key) else {
            throw InputError(source: source, field: fieldPath(key), message: "is missing")
        }
        return v
    }

    public mutating func number(_ key: String) throws -> Double {
        let v = try value(key)
        guard case .number(let x) = v else { throw typeError(key, "a number", v) }
        return x
    }

    public mutating func optionalNumber(_ key: String) throws -> Double? {
        guard let v = optionalValue(key) else { return nil }
        guard case .number(let x) = v else { throw typeError(key, "a number", v) }
        return x
    }

    /// A number that must be a whole number within `range` (checked before conversion, so
    /// `1e300` is an error, not a trap).
    public mutating func integer(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        try checkedInteger(number(key), key, range)
    }

    /// An optional number that, when present, must be a whole number within `range`.
    public mutating func optionalInteger(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        try optionalNumber(key).map { try checkedInteger($0, key, range) }
    }

    /// A number that must be finite.
    public mutating func finiteNumber(_ key: String) throws -> Double {
        try checkedFinite(number(key), key)
    }

    /// A number that must be finite, positive and at most `maximum`.
    public mutating func positiveNumber(_ key: String, atMost maximum: Double = .greatestFiniteMagnitude) throws -> Double {
        try checkedPositive(number(key), key, maximum)
    }

    /// An optional number that, when present, must be finite, positive and at most `maximum`.
    public mutating func optionalPositiveNumber(_ key: String, atMost maximum: Double = .greatestFiniteMagnitude) throws -> Double? {
        try optionalNumber(key).map { try checkedPositive($0, key, maximum) }
    }

    /// A string that must be a plain name (`PlainName`), such as a workload or metric name.
    public mutating func plainName(_ key: String) throws -> String {
        try PlainName.validated(string(key), source: source, field: fieldPath(key))
    }

    /// An array of plain names without duplicates; errors name the offending element
    /// (`key[i]`).
    public mutating func plainNames(_ key: String) throws -> [String] {
        var names: [String] = []
        for (index, value) in try array(key).enumerated() {
            let field = "\(fieldPath(key))[\(index)]"
            guard case .string(let name) = value else {
                throw InputError(source: source, field: field, message: "must be a string, found \(value.typeName)")
            }
            try PlainName.validated(name, source: source, field: field)
            guard !names.contains(name) else {
                throw InputError(source: source, field: field, message: "duplicates the name \(PlainName.escaped(name))")
            }
            names.append(name)
        }
        return names
    }

    public mutating func string(_ key: String) throws -> String {
        let v = try value(key)
        guard case .string(let s) = v else { throw typeError(key, "a string", v) }
        return s
    }

    public mutating func optionalString(_ key: String) throws -> String? {
        guard let v = optionalValue(key) else { return nil }
        guard case .string(let s) = v else { throw typeError(key, "a string", v) }
        return s
    }

    public mutating func bool(_ key: String) throws -> Bool {
        let v = try value(key)
        guard case .bool(let b) = v else { throw typeError(key, "true or false", v) }
        return b
    }

    public mutating func optionalBool(_ key: String) throws -> Bool? {
        guard let v = optionalValue(key) else { return nil }
        guard case .bool(let b) = v else { throw typeError(key, "true or false", v) }
        return b
    }

    /// A string field that must be one of `choices`.
    public mutating func choice(_ key: String, _ choices: [String]) throws -> String {
        let s = try string(key)
        guard choices.contains(s) else {
            throw InputError(source: source, field: fieldPath(key), message: "must be one of \(choices.joined(separator: ", ")), found \(PlainName.escaped(s))")
        }
        return s
    }

    public mutating func array(_ key: String) throws -> [JSONValue] {
        let v = try value(key)
        guard case .array(let a) = v else { throw typeError(key, "an array", v) }
        return a
    }

    public mutating func optionalArray(_ key: String) throws -> [JSONValue]? {
        guard let v = optionalValue(key) else { return nil }
        guard case .array(let a) = v else { throw typeError(key, "an array", v) }
        return a
    }

    /// A nested object, read strictly in turn.
    public mutating func object(_ key: String) throws -> JSONObjectReader {
        try JSONObjectReader(value(key), source: source, path: fieldPath(key))
    }

    public mutating func optionalObject(_ key: String) throws -> JSONObjectReader? {
        guard let v = optionalValue(key) else { return nil }
        return try JSONObjectReader(v, source: source, path: fieldPath(key))
    }

    /// Throws if the object holds a key no read asked for.
    public func finish() throws {
        let unknown = Set(fields.keys).subtracting(consumed).sorted()
        guard unknown.isEmpty else {
            let known = consumed.sorted().joined(separator: ", ")
            throw InputError(
                source: source, field: fieldPath(unknown[0]),
                message: "is not a known field (expected one of: \(known))")
        }
    }

    private func checkedInteger(_ x: Double, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let n = Int(exactly: x), range.contains(n) else {
            throw InputError(source: source, field: fieldPath(key), message: "must be an integer in \(range.lowerBound)...\(range.upperBound), found \(x)")
        }
        return n
    }

    private func checkedFinite(_ x: Double, _ key: String) throws -> Double {
        guard x.isFinite else { throw InputError(source: source, field: fieldPath(key), message: "must be a finite number, found \(x)") }
        return x
    }

    private func checkedPositive(_ x: Double, _ key: String, _ maximum: Double) throws -> Double {
        guard x.isFinite, x > 0, x <= maximum else {
            let bound = maximum < .greatestFiniteMagnitude ? " at most \(maximum)" : ""
            throw InputError(source: source, field: fieldPath(key), message: "must be a positive number\(bound), found \(x)")
        }
        return x
    }

    private func typeError(_ key: String, _ expected: String, _ found: JSONValue) -> InputError {
        InputError(source: source, field: fieldPath(key), message: "must be \(expected), found \(found.typeName)")
    }
}
