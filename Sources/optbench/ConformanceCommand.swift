import ArgumentParser
import Core
import Foundation
import Submissions

/// `optbench conformance DIR...`: replays every optimizer case in each DIR (optax cases and
/// cases made with the authors' code) through the submission it names, prints how far each
/// trajectory is from the reference, and lists the declared deviations and retired cases.
struct Conformance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Check submissions' update rules against reference trajectories (optax, or the authors' code).",
        discussion: """
            Each DIR holds one JSON case per file (format: shared/conformance/README.md), e.g. \
            shared/conformance/optax and shared/conformance/reference. Each case is run at its \
            constant learning rate on its recorded gradients; the error of a coordinate is \
            |θ − θ_ref| / max(|θ_ref|, RMS of its tensor). A case passes when its largest error is at \
            most the submission's tolerance (1e-5 unless the submission states why it needs more); \
            a case the submission declares a deviation for (with its reason and measured error) is \
            listed as a declared deviation, not a pass. Exits with status 1 when any case fails \
            undeclared or cannot be read or run.
            """)

    @Argument(help: "Directories of conformance cases (*.json).")
    var directories: [String]

    @Option(parsing: .unconditional, help: "Override every submission's tolerance (largest relative error accepted).")
    var tolerance: Double?

    @Flag(help: "After the table, print each case's trajectory digest (SHA-256 of every step's parameter bits): equal digests before and after a change prove it changed no bit of an update.")
    var digests = false

    func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give at least one directory of conformance cases") }
        for directory in directories { try ArgumentCheck.existingFolder(directory, argument: "<directories>") }
        if let tolerance { try ArgumentCheck.positive(tolerance, atMost: 1, argument: "--tolerance") }
    }

    func run() throws {
        var rows: [[String]] = []
        var failures = 0, passes = 0
        var notes: [String] = []
        var digestLines: [String] = []
        for directory in directories {
            for file in try caseFiles(in: directory) {
                let path = (directory as NSString).appendingPathComponent(file)
                do {
                    let result = try ConformanceRunner.run(ConformanceCase.load(contentsOf: path), tolerance: tolerance)
                    switch result.status {
                    case .pass: passes += 1
                    case .fail: failures += 1
                    case .declaredDeviation(let deviation):
                        notes.append("\(result.caseName) (\(result.submission) vs \(deviation.reference)): declared deviation, "
                            + "measured \(Self.scientific(deviation.measuredError)): \(deviation.reason)")
                    case .retired(let reason):
                        notes.append("\(result.caseName) (\(result.reference)): retired: \(reason)")
                    }
                    if !result.trajectoryDigest.isEmpty {
                        digestLines.append("\(result.caseName) \(result.submission) \(result.trajectoryDigest)")
                    }
                    rows.append([
                        result.caseName, result.submission, result.referenceVersion ?? result.reference,
                        "\(result.stepsMatched)/\(result.steps)" + (result.checkedEvaluationParameters ? "+eval" : ""),
                        Self.scientific(result.maxAbsoluteError), Self.scientific(result.maxRelativeError),
                        Self.scientific(result.tolerance), result.status.label, result.worstLocation,
                    ])
                } catch {
                    failures += 1
                    rows.append([(file as NSString).deletingPathExtension, "-", "-", "-", "-", "-", "-", "ERROR", "\(error)"])
                }
            }
        }
        print(Self.table(
            header: ["case", "submission", "reference", "steps matched", "max abs err", "max rel err", "tolerance", "result", "worst at"],
            rows: rows))
        for note in notes { print("- " + note) }
        if digests { for line in digestLines { print("digest " + line) } }
        print("\(passes) of \(rows.count) cases pass, \(notes.count) declared or retired, \(failures) fail")
        if failures > 0 { throw ExitCode.failure }
    }

    private func caseFiles(in directory: String) throws -> [String] {
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
