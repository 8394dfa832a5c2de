import ArgumentParser
import Harness
import Results

/// `optbench merge`: gathers trial files into one results file.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Gather trial files (a folder, searched recursively, or files) into one results file.")

    @Argument(help: "Trial files or folders of trial files.") var inputs: [String]
    @Option(name: .shortAndLong, help: "Results file to write (atomically).") var output: String

    mutating func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("name at least one trial file or folder to merge") }
        for input in inputs { try ArgumentCheck.existingFileOrFolder(input, argument: "<inputs>") }
        try ArgumentCheck.distinct(inputs, argument: "<inputs>")
        try ArgumentCheck.fileToWrite(output, argument: "--output", notAmong: inputs)
    }

    mutating func run() throws {
        let read = ResultsSource.readForMerge(inputs, reader: ThisExecutable.resultsReader)
        guard !read.isEmpty else { throw ValidationError("no trial files found in \(inputs.joined(separator: ", "))") }
        let report = try ResultsFile.merge(read: read, into: output, provenance: ProvenanceCollector.current())
        for skipped in report.skipped { print("skipped \(skipped.path): \(skipped.reason)") }
        print("merged \(report.mergedTrials) trial(s) into \(output)")
    }
}
