/// The one rule for every name that comes from outside — a spec file, a profile, a results
/// file or the command line — and later becomes part of a path, an HDF5 group, a gnuplot
/// script, a log line or a child process's arguments: workload, variant, submission,
/// ruleset, run and hyperparameter names.
///
/// A plain name is 1 to 64 ASCII characters: letters, digits, `_`, `-` and `.`, starting
/// with a letter or a digit. So it is never `.` or `..`, never looks like an option
/// (`-x`), and holds no `/`, quote, backquote, space, control character or shell or
/// gnuplot metacharacter: it is safe as a single path component and inside a quoted
/// script string as it is. Names are checked once, where they enter; everything
/// downstream may rely on the rule.
public enum PlainName {
    /// The longest name accepted, in characters.
    public static let maximumLength = 64

    /// What the rule asks for, for error messages.
    public static let ruleDescription =
        "1 to \(maximumLength) characters: ASCII letters, digits, '_', '-' or '.', starting with a letter or digit"

    /// Whether `name` follows the rule.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumLength, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// Returns `name` when it follows the rule; otherwise throws an `InputError` naming
    /// `source` (file or argument) and `field`, and showing the name escaped.
    @discardableResult
    public static func validated(_ name: String, source: String, field: String?) throws -> String {
        guard isValid(name) else {
            throw InputError(source: source, field: field, message: "must be a plain name (\(ruleDescription)), found \(escaped(name))")
        }
        return name
    }

    /// `text` in double quotes for a message or log line, with quotes, backslashes, control
    /// characters and non-ASCII characters escaped (`\n`, `\u{1B}`), at most 80 characters
    /// of it, so a hostile name cannot forge or break lines of output.
    public static func escaped(_ text: String) -> String {
        var result = "\""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == 80 {
                result += "…"
                break
            }
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || !scalar.isASCII {
                    result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
