import Foundation
import Results
import Testing
@testable import Harness

/// Seeded mutations of a real trial file through show, score, merge and plot: no signal,
/// no hang, every error names the file, and no mutation that changed what is read goes
/// unnoticed. `optbench fuzz` runs the long version.
@Suite(.serialized) struct ResultsFuzzTests {
    @Test func twoHundredMutatedFilesNeverCrashOrHangACommand() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-fuzz-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let original = try ResultsFuzzer.makeTrialFile(in: work, workloadsDirectory: SuiteRunnerTests.workloadsDirectory)
        let fuzzer = ResultsFuzzer(executable: executable, timeLimit: 60, readerTimeLimit: 10)
        let (runs, readings) = try fuzzer.run(original: original, count: 200, seed: 2026, commandsPerMutation: 1, workDirectory: work)

        #expect(runs.count == 200)
        for command in ResultsFuzzer.Command.allCases { #expect(runs.filter { $0.command == command }.count == 50) }
        let unsafe = runs.filter { $0.outcome != .accepted && $0.outcome != .cleanError }
        #expect(unsafe.isEmpty, "\(unsafe.map { "\($0.command.rawValue) on a file \($0.mutation): \($0.outcome)" })")
        #expect(!readings.contains(.silentlyDifferent))
        // The mutations do damage: most files are refused, each with the file named.
        #expect(runs.filter { $0.outcome == .cleanError }.count >= 80)
        // A command accepts exactly the files the isolated reader read unchanged.
        for (run, reading) in zip(runs, readings) {
            #expect((run.outcome == .accepted) == (reading == .unchanged), "\(run.command.rawValue) on a file \(run.mutation)")
        }
    }

    @Test func mutationsAreSeededAndStayInsideTheFile() {
        let first = (0..<50).map { ResultsFileMutation.make(index: $0, seed: 9, size: 1000) }
        #expect(first == (0..<50).map { ResultsFileMutation.make(index: $0, seed: 9, size: 1000) })
        #expect(first != (0..<50).map { ResultsFileMutation.make(index: $0, seed: 10, size: 1000) })
        let bytes = [UInt8](repeating: 0xAB, count: 1000)
        for mutation in first {
            let mutated = mutation.applied(to: bytes)
            if case .truncate(let length) = mutation { #expect(mutated.count == length) } else { #expect(mutated.count == 1000) }
        }
        #expect(Array(ResultsFileMutation.zeroBlock(offset: 998, length: 16).applied(to: bytes).suffix(3)) == [0xAB, 0, 0])
        #expect(Array(ResultsFileMutation.flipBits(offsets: [0], bits: [0]).applied(to: bytes).prefix(2)) == [0xAA, 0xAB])
    }
}
