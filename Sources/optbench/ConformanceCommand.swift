import ArgumentParser
import Core
import Foundation
import Submissions

/// `optbench conformance DIR`: replays every optimizer reference case in DIR through the
/// submission it names and prints how far each trajectory is from the reference.
struct Conformance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Check submissions' update rules against reference trajectories (e.g. made with optax).",
        discussion: """
            DIR holds one JSON case per optimizer (format: shared/conformance/README.md). Each case is \
            run at its constant learning rate on its recorded gradients; the error of a coordinate is \
            |θ − θ_ref| / max(|θ_ref|, RMS of its tensor). A case passes when its largest error is at \
            most the submission's tolerance (1e-5 unless the submission states why it needs more). \
            Exits with status 1 when any case fails or cannot be read.
            """)

    @Argument(help: "Directory of conformance cases (*.json).")
    var directory: String

    @Option(parsing: .unconditional, help: "Override every submission's tolerance (largest relative error accepted).")
    var tolerance: Double?

    func validate() throws {
        try ArgumentCheck.existingFolder(directory, argument: "<directory>")
        if let tolerance { try ArgumentCheck.positive(tolerance, atMost: 1, argument: "--tolerance") }
    }

    func run() throws {
        let names = try caseFiles()
        var rows: [[String]] = []
        var failures = 0
        for file in names {
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                let result = try ConformanceRunner.run(ConformanceCase.load(contentsOf: path), tolerance: tolerance)
                if !result.passed { failures += 1 }
                rows.append([
                    result.caseName, result.submission, String(result.steps) + (result.checkedEvaluationParameters ? "+eval" : ""),
                    Self.scientific(result.maxAbsoluteError), Self.scientific(result.maxRelativeError),
                    Self.scientific(result.tolerance), result.passed ? "pass" : "FAIL", result.worstLocation,
                ])
            } catch {
                failures += 1
                rows.append([(file as NSString).deletingPathExtension, "-", "-", "-", "-", "-", "ERROR", "\(error)"])
            }
        }
        print(Self.table(header: ["case", "submission", "steps", "max abs err", "max rel err", "tolerance", "result", "worst at"], rows: rows))
        print("\(rows.count - failures) of \(rows.count) cases pass")
        if failures > 0 { throw ExitCode.failure }
    }

    private func caseFiles() throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw ValidationError("\(directory): cannot be listed as a directory of conformance cases")
        }
        let files = names.filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw ValidationError("\(directory): holds no conformance cases (*.json)") }
        return files
    }

    static func scientific(_ x: Double) -> String {
        x.isFinite ? String(format: "%.2e", x) : "\(x)"
    }

    /// Left-aligned columns separated by two spaces.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }
}
