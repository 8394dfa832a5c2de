/// A submission's hyperparameters: named numbers, as AlgoPerf's search spaces produce.
///
/// Lookups that fail name the missing key and the keys that are present, so a search
/// space and a submission that disagree are caught at the start of a trial.
public struct Hyperparameters: Sendable, Equatable, Codable, CustomStringConvertible {
    public private(set) var values: [String: Double]

    public init(_ values: [String: Double] = [:]) { self.values = values }

    /// The value of `name`; throws if it is absent.
    public func value(_ name: String) throws -> Double {
        guard let v = values[name] else {
            throw HyperparameterError.missing(name: name, present: values.keys.sorted())
        }
        return v
    }

    /// The value of `name`, or `fallback` when absent.
    public func value(_ name: String, default fallback: Double) -> Double {
        values[name] ?? fallback
    }

    public subscript(name: String) -> Double? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// Values of `other` override these.
    public func merging(_ other: Hyperparameters) -> Hyperparameters {
        Hyperparameters(values.merging(other.values) { _, new in new })
    }

    /// Keys in sorted order with `%.6g` values, as a stable one-line summary.
    public var description: String {
        values.keys.sorted().map { "\($0)=\(formatNumber(values[$0]!))" }.joined(separator: " ")
    }

    public init(from decoder: Decoder) throws {
        values = try [String: Double](from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        try values.encode(to: encoder)
    }
}

extension Hyperparameters {
    /// The field named in errors about a hyperparameter's name (names are JSON keys, so
    /// a bad one has no field path of its own).
    public static let nameField = "hyperparameter names"

    /// Reads a non-empty JSON object of finite numbers keyed by plain names (`PlainName`),
    /// as a fixed point of a search space or a trial's `--hyperparameters` holds it.
    /// Errors name `source` and the field under `path` ("" at the top).
    public init(parsing value: JSONValue, source: String, path: String = "") throws {
        guard case .object(let fields) = value, !fields.isEmpty else {
            throw InputError(source: source, field: path, message: "must be a non-empty object of numbers, found \(value.typeName)")
        }
        var values: [String: Double] = [:]
        for name in fields.keys.sorted() {
            try PlainName.validated(name, source: source, field: path.isEmpty ? Self.nameField : "\(path) \(Self.nameField)")
            let field = path.isEmpty ? name : "\(path).\(name)"
            guard case .number(let x) = fields[name], x.isFinite else {
                throw InputError(source: source, field: field, message: "must be a finite number, found \(fields[name]?.typeName ?? "nothing")")
            }
            values[name] = x
        }
        self.init(values)
    }
}

/// A hyperparameter a submission needs is absent.
public enum HyperparameterError: Error, CustomStringConvertible, Equatable {
    case missing(name: String, present: [String])
    case invalid(name: String, value: Double, expected: String)

    public var description: String {
        switch self {
        case .missing(let name, let present):
            "hyperparameter '\(name)' is missing (present: \(present.isEmpty ? "none" : present.joined(separator: ", ")))"
        case .invalid(let name, let value, let expected):
            "hyperparameter '\(name)' = \(value) is invalid: expected \(expected)"
        }
    }
}

/// `%.6g`-style formatting without Foundation's locale dependence.
func formatNumber(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
