import Foundation

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

    /// A string safe inside single quotes in a gnuplot script.
    public static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
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
