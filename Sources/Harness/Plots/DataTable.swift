import Foundation

/// Builds gnuplot data files: whitespace-separated columns, `#` header comments, and
/// blocks separated by two blank lines so a script can address them with `index`.
struct DataTable {
    private(set) var text = ""

    init(header: String) {
        text = "# \(header)\n"
    }

    /// Starts a new `index` block titled `title` (after the first, two blank lines).
    mutating func beginBlock(_ title: String, isFirst: Bool) {
        if !isFirst { text += "\n\n" }
        text += "# \(title)\n"
    }

    mutating func row(_ values: [Double]) {
        text += values.map(Self.format).joined(separator: " ") + "\n"
    }

    /// Full precision, `NaN` for non-finite values (gnuplot skips them).
    static func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.9g", value) : "NaN"
    }
}
