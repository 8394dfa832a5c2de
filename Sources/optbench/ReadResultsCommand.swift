import ArgumentParser
import Foundation
import Results

/// `optbench read-results` (hidden): the child side of `IsolatedResultsReader`. Reads
/// NUL-separated paths on stdin and writes each file's contents, or its reading error,
/// as frames on stdout. Commands start it to read files from strangers, so that a file
/// that crashes or hangs libhdf5 takes down this child, not them.
struct ReadResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: IsolatedResultsReader.subcommand,
        abstract: "Read results files named on stdin and write their contents as frames on stdout (used by other commands).",
        shouldDisplay: false)

    mutating func run() throws {
        IsolatedResultsReader.serve(input: .standardInput, output: .standardOutput)
    }
}
