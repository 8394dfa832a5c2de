import Foundation
import Tensor

/// Runs gnuplot on figure scripts and supplies a shared visual style.
public enum Gnuplot {
    /// The gnuplot executable on `PATH`, if any.
    public static var executable: String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Renders `figure` in `directory` (script and data must already be written there).
    /// Throws with gnuplot's own error output when it fails.
    public static func render(_ figure: Figure, in directory: String) throws {
        guard let gnuplot = executable else { throw PlotError.gnuplotMissing }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        process.arguments = ["\(figure.name).gp"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PlotError.gnuplotFailed(figure: figure.name, message: String(decoding: message, as: UTF8.self))
        }
    }

    /// Twelve colours distinguishable in print and for common colour-vision deficiencies
    /// (Okabe–Ito followed by Tol's muted scheme), cycled with dash types beyond twelve.
    public static let palette = [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
        "#000000", "#882255", "#44AA99", "#999933", "#AA4499", "#661100",
    ]

    /// `linecolor … dashtype …` for series `index`.
    public static func style(_ index: Int) -> String {
        let colour = palette[index % palette.count]
        let dash = 1 + (index / palette.count) % 5
        return "linecolor rgb '\(colour)' dashtype \(dash)"
    }

    /// A filled point type for series `index` (circle, square, triangles, diamond, pentagon).
    public static func pointType(_ index: Int) -> Int {
        [7, 5, 9, 11, 13, 15][index % 6]
    }

    /// `text` as a single-quoted gnuplot string literal: the only way any text — a title,
    /// a label, a file name — enters a generated script. Inside single quotes gnuplot
    /// expands nothing (no backquote commands, no `@` macros, no backslash escapes), and a
    /// quote is written doubled; line breaks and other control characters, which would end
    /// the command and start another, become spaces.
    public static func quoted(_ text: String) -> String {
        var body = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": body += "''"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}":
                body += " "
            default: body.unicodeScalars.append(scalar)
            }
        }
        return "'" + body + "'"
    }

    /// A file stem made from `text` that is safe as a single path component: characters
    /// other than ASCII letters, digits, `_`, `-` and `.` become `_`, a leading `.` or `-`
    /// is prefixed with `_`, and a changed stem ends in 8 hex digits of the text's
    /// `StableHash`, so two texts never share a stem. Figure names pass through it; names
    /// read from results files already follow `PlainName`, so for them it changes nothing.
    public static func fileStem(_ text: String) -> String {
        var stem = String(text.unicodeScalars.prefix(160).map { scalar -> Character in
            let allowed = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_-.".unicodeScalars.contains(scalar))
            return allowed ? Character(scalar) : "_"
        })
        if let first = stem.first, first == "." || first == "-" { stem = "_" + stem }
        guard stem != text, !text.isEmpty else { return text.isEmpty ? "_" : stem }
        var hash = StableHash()
        hash.combine(text)
        return stem + "_" + String(String(hash.finalize(), radix: 16).suffix(8))
    }
}

/// Why a figure could not be rendered.
public enum PlotError: Error, CustomStringConvertible {
    case gnuplotMissing
    case gnuplotFailed(figure: String, message: String)

    public var description: String {
        switch self {
        case .gnuplotMissing:
            "gnuplot is not on PATH (install it with `make deps`, or apt-get install gnuplot)"
        case .gnuplotFailed(let figure, let message):
            "gnuplot failed on \(figure).gp: \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}
