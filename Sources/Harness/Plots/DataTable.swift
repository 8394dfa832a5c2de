import Foundation

/// Builds gnuplot data files: whitespace-separated columns, `#` header comments, and
/// blocks separated by two blank lines so a script can address them with `index`.
struct DataTable {
    private(set) var text = ""

    init(header: String) {
        text = "# \(Self.comment(header))\n"
    }

    /// Starts a new `index` block titled `title` (after the first, two blank lines).
    mutating func beginBlock(_ title: String, isFirst: Bool) {
        if !isFirst { text += "\n\n" }
        text += "# \(Self.comment(title))\n"
    }

    mutating func row(_ values: [Double]) {
        text += values.map(Self.format).joined(separator: " ") + "\n"
    }

    /// `text` on one comment line: line breaks and control characters become spaces, so
    /// no text can add rows to the data.
    static func comment(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    /// Full precision, `NaN` for non-finite values (gnuplot skips them).
    static func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.9g", value) : "NaN"
    }
}
