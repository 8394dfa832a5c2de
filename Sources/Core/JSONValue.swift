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
    public static func parse(_ data: Data, source: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw InputError(source: source, field: nil, message: "is not valid JSON (\(Self.describe(error)))")
        }
    }

    /// Reads and parses a JSON file.
    public static func load(contentsOf path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(source: path, field: nil, message: "cannot be read (missing or not a file)")
        }
        return try parse(data, source: path)
    }

    private static func describe(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return error.localizedDescription }
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

    public var description: String {
        if let field, !field.isEmpty { return "\(source): field '\(field)' \(message)" }
        return "\(source): \(message)"
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

    /// A number that must be a whole number within `range`.
    public mutating func integer(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        let x = try number(key)
        guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw InputError(source: source, field: fieldPath(key), message: "must be an integer in \(range.lowerBound)...\(range.upperBound), found \(x)")
        }
        return Int(x)
    }

    /// A number that must be finite and positive.
    public mutating func positiveNumber(_ key: String) throws -> Double {
        let x = try number(key)
        guard x.isFinite, x > 0 else {
            throw InputError(source: source, field: fieldPath(key), message: "must be a positive number, found \(x)")
        }
        return x
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
            throw InputError(source: source, field: fieldPath(key), message: "must be one of \(choices.joined(separator: ", ")), found '\(s)'")
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

    private func typeError(_ key: String, _ expected: String, _ found: JSONValue) -> InputError {
        InputError(source: source, field: fieldPath(key), message: "must be \(expected), found \(found.typeName)")
    }
}
