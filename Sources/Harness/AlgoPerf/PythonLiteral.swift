import Core

/// The subset of Python's literal syntax AlgoPerf's logs print their `Metrics:` lines in
/// (`repr` of dicts, lists and tuples of strings and numbers, with JAX arrays as
/// `Array(0.5, dtype=float32)` or `DeviceArray(...)`), parsed without evaluating anything.
/// A call's value is its first positional argument. Nesting is limited, so a hostile
/// line cannot exhaust the stack.
enum PythonLiteral: Equatable {
    case number(Double)
    case string(String)
    case list([PythonLiteral])
    /// Entries in written order (keys are strings).
    case dict([(key: String, value: PythonLiteral)])
    case none

    static let maximumDepth = 32

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): x == y
        case (.list(let x), .list(let y)): x == y
        case (.dict(let x), .dict(let y)): x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        case (.none, .none): true
        default: false
        }
    }

    /// Parses `text` whole; the error's message says what was expected at which column.
    static func parse(_ text: Substring) throws -> PythonLiteral {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.failure("expected the end of the value") }
        return value
    }

    /// A parse failure at a 1-based column.
    struct Failure: Error {
        let message: String
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func failure(_ message: String) -> Failure { Failure(message: "\(message) at column \(index + 1)") }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        }

        mutating func value(depth: Int) throws -> PythonLiteral {
            guard depth < PythonLiteral.maximumDepth else { throw failure("nested deeper than \(PythonLiteral.maximumDepth) levels") }
            skipSpace()
            guard index < bytes.count else { throw failure("expected a value, found the end of the line") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try dict(depth: depth)
            case UInt8(ascii: "["): return .list(try sequence(closing: UInt8(ascii: "]"), depth: depth))
            case UInt8(ascii: "("): return .list(try sequence(closing: UInt8(ascii: ")"), depth: depth))
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: return try name(depth: depth)
            }
        }

        mutating func expect(_ byte: UInt8) throws {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
            index += 1
        }

        /// Whether the next non-space byte is `byte` (consumed when it is).
        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func dict(depth: Int) throws -> PythonLiteral {
            try expect(UInt8(ascii: "{"))
            var entries: [(key: String, value: PythonLiteral)] = []
            while !take(UInt8(ascii: "}")) {
                guard case .string(let key) = try value(depth: depth + 1) else { throw failure("expected a string key") }
                try expect(UInt8(ascii: ":"))
                entries.append((key, try value(depth: depth + 1)))
                if !take(UInt8(ascii: ",")) {
                    try expect(UInt8(ascii: "}"))
                    break
                }
            }
            return .dict(entries)
        }

        mutating func sequence(closing: UInt8, depth: Int) throws -> [PythonLiteral] {
            index += 1
            var items: [PythonLiteral] = []
            while !take(closing) {
                items.append(try value(depth: depth + 1))
                if !take(UInt8(ascii: ",")) {
                    try expect(closing)
                    break
                }
            }
            return items
        }

        mutating func string() throws -> String {
            let quote = bytes[index]
            index += 1
            var out: [UInt8] = []
            while index < bytes.count, bytes[index] != quote {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                    index += 1
                    let escaped = bytes[index]
                    out.append(escaped == UInt8(ascii: "n") ? 10 : escaped == UInt8(ascii: "t") ? 9 : escaped)
                } else {
                    out.append(bytes[index])
                }
                index += 1
            }
            guard index < bytes.count else { throw failure("unterminated string") }
            index += 1
            return String(decoding: out, as: UTF8.self)
        }

        mutating func number() throws -> Double {
            let start = index
            if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "i") || bytes[index] == UInt8(ascii: "n") {
                    let word = identifier()
                    let sign: Double = bytes[start] == UInt8(ascii: "-") ? -1 : 1
                    switch word {
                    case "inf": return sign * .infinity
                    case "nan": return .nan
                    default: throw failure("expected a number, found '\(word)'")
                    }
                }
            }
            let allowed = Set("0123456789.eE+-_".utf8)
            while index < bytes.count, allowed.contains(bytes[index]) {
                // A sign only right after an exponent marker.
                if (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")),
                   !(bytes[index - 1] == UInt8(ascii: "e") || bytes[index - 1] == UInt8(ascii: "E")) { break }
                index += 1
            }
            let text = String(decoding: bytes[start..<index].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
            guard let value = Double(text) else { throw failure("expected a number, found '\(text)'") }
            return value
        }

        mutating func identifier() -> String {
            let start = index
            while index < bytes.count, bytes[index] == UInt8(ascii: "_") || bytes[index] == UInt8(ascii: ".")
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[index]) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[index])
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// `nan`, `inf`, `True`, `False`, `None`, or a call whose value is its first
        /// positional argument (`Array(0.5, dtype=float32)`).
        mutating func name(depth: Int) throws -> PythonLiteral {
            let word = identifier()
            switch word {
            case "nan": return .number(.nan)
            case "inf": return .number(.infinity)
            case "True": return .number(1)
            case "False": return .number(0)
            case "None": return .none
            case "": throw failure("expected a value")
            default: break
            }
            guard take(UInt8(ascii: "(")) else { throw failure("unexpected name '\(word)'") }
            var first: PythonLiteral?
            while !take(UInt8(ascii: ")")) {
                skipSpace()
                let save = index
                let keyword = identifier()
                if !keyword.isEmpty, take(UInt8(ascii: "=")) {
                    _ = try keywordValue(depth: depth + 1)
                } else {
                    index = save
                    let argument = try value(depth: depth + 1)
                    if first == nil { first = argument }
                }
                if !take(UInt8(ascii: ",")) {
                    try expect(UInt8(ascii: ")"))
                    break
                }
            }
            guard let first else { throw failure("\(word)(...) has no positional argument") }
            return first
        }

        /// A keyword argument's value: a literal, or a bare name such as `float32`.
        mutating func keywordValue(depth: Int) throws -> PythonLiteral {
            skipSpace()
            let save = index
            let word = identifier()
            skipSpace()
            if !word.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: ")") {
                return .string(word)
            }
            index = save
            return try value(depth: depth)
        }
    }
}
