import Foundation
import Testing
@testable import Harness

/// Hostile words go through a real shell unchanged: each comes back as one argument,
/// byte for byte, and nothing in it runs.
@Suite struct ShellQuotingTests {
    static let hostile = [
        "plain", "it's", "''", "'", "$(touch pwned)", "`touch pwned`", "a b", "new\nline", "*", "\\", "\\'", "-n", "%s",
        "$HOME", "${IFS}", "; rm -rf /", "\"quoted\"", "ünïcode", "tab\there", "",
    ]

    /// Runs `sh -c 'printf "%s\0" WORDS'` with the words quoted; returns what the shell
    /// passed to printf, split at NUL.
    static func roundTrip(_ words: [String], in directory: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf '%s\\0' " + ShellQuoting.commandLine(words)]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func hostileWordsReachTheCommandUnchanged() throws {
        let directory = try SuiteRunnerTests.temporaryDirectory("shell-quoting")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try Self.roundTrip(Self.hostile, in: directory) == Self.hostile)
        #expect(!FileManager.default.fileExists(atPath: directory + "/pwned"))
    }

    @Test func singleQuotesAreClosedEscapedAndReopened() {
        #expect(ShellQuoting.quoted("it's") == "'it'\\''s'")
        #expect(ShellQuoting.quoted("") == "''")
        #expect(ShellQuoting.commandLine(["a b", "c"]) == "'a b' 'c'")
    }
}
