import Core

/// The keyword arguments of an optax constructor, as a conformance case records them,
/// read strictly: every argument must be read by the submission's mapping, so a case
/// that sets an option the submission does not implement fails loudly instead of being
/// compared against a different algorithm.
public struct OptaxArguments {
    /// The case file, for messages.
    public let source: String
    private let values: [String: JSONValue]
    private var consumed: Set<String> = []

    public init(_ values: [String: JSONValue], source: String) {
        self.values = values
        self.source = source
    }

    /// All argument names, sorted.
    public var names: [String] { values.keys.sorted() }

    /// A numeric argument; `fallback` (optax's default) when absent.
    public mutating func number(_ key: String, default fallback: Double) throws -> Double {
        try optionalNumber(key) ?? fallback
    }

    /// A numeric argument that may be absent or `null`.
    public mutating func optionalNumber(_ key: String) throws -> Double? {
        consumed.insert(key)
        switch values[key] {
        case nil, .null?: return nil
        case .number(let x)?: return x
        case let other?: throw error(key, "must be a number, found \(other.typeName)")
        }
    }

    /// A boolean argument; `fallback` when absent.
    public mutating func bool(_ key: String, default fallback: Bool) throws -> Bool {
        consumed.insert(key)
        switch values[key] {
        case nil: return fallback
        case .bool(let b)?: return b
        case let other?: throw error(key, "must be true or false, found \(other.typeName)")
        }
    }

    /// A pair of numbers such as `betas`; `fallback` when absent.
    public mutating func pair(_ key: String, default fallback: (Double, Double)) throws -> (Double, Double) {
        consumed.insert(key)
        switch values[key] {
        case nil: return fallback
        case .array(let items)?:
            guard items.count == 2, case .number(let a) = items[0], case .number(let b) = items[1] else {
                throw error(key, "must be an array of two numbers")
            }
            return (a, b)
        case let other?: throw error(key, "must be an array of two numbers, found \(other.typeName)")
        }
    }

    /// Accepts `key` only at the value the submission implements (absent counts as
    /// optax's default, which must be that value too).
    public mutating func require(_ key: String, is expected: JSONValue, optaxDefault: JSONValue) throws {
        consumed.insert(key)
        let actual = values[key] ?? optaxDefault
        guard actual == expected else {
            throw error(key, "= \(actual.serialized) is not supported by this submission (only \(expected.serialized))")
        }
    }

    /// Throws naming the first argument no mapping read.
    public func finish(submission: String) throws {
        if let unknown = Set(values.keys).subtracting(consumed).sorted().first {
            throw error(unknown, "is not an argument submission '\(submission)' maps (it maps: \(consumed.sorted().joined(separator: ", ")))")
        }
    }

    private func error(_ key: String, _ message: String) -> InputError {
        InputError(source: source, field: "kwargs.\(key)", message: message)
    }
}
