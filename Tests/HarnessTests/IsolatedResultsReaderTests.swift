import Foundation
import Results
import Testing
@testable import Harness

/// The isolated reader: contents come back bit for bit; a file that kills or hangs the
/// reading child is reported by name and the rest are read by a new child.
@Suite(.serialized) struct IsolatedResultsReaderTests {
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-isolated-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func trialFile(_ path: String, trial: Int) throws {
        let workload = ScoringFixtures.workload("regression", target: 0.5)
        var record = ScoringFixtures.trial("adamw", workload, trial: trial, evals: [(1, 2), (2, 0.4), (3, .nan)])
        record.trainLossSteps = [1, 2]
        record.trainLossValues = [.nan, -0.0]
        record.message = "bad\0byte"
        try TrialFile.write(record, provenance: ProvenanceCollector.current(), to: path)
    }

    @Test func contentsComeBackBitForBitAndErrorsNameTheFile() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = directory + "/good.h5", missing = directory + "/missing.h5", text = directory + "/text.h5"
        try Self.trialFile(good, trial: 3)
        try "not HDF5".write(toFile: text, atomically: true, encoding: .utf8)
        let results = IsolatedResultsReader(executable: executable).read([good, missing, text, good])
        #expect(results.count == 4)
        let inProcess = try ResultsFile.read(good)
        for index in [0, 3] {
            #expect(try results[index].get().encoded() == inProcess.encoded())
        }
        #expect(try results[0].get().trials.first?.message == "bad\u{FFFD}byte")
        // A schema 1 file (variable-length strings, no digests) comes back bit for bit too.
        let schema1 = SuiteRunnerTests.repositoryRoot.appendingPathComponent("Tests/Fixtures/results/schema1-trial.h5").path
        #expect(try IsolatedResultsReader(executable: executable).read(schema1).encoded() == ResultsFile.read(schema1).encoded())
        for (index, path) in [(1, missing), (2, text)] {
            guard case .failure(let failure) = results[index] else { Issue.record("\(path) read"); continue }
            #expect(failure.path == path)
            #expect(failure.description.hasPrefix(path))
        }
    }

    @Test func aFileThatKillsOrHangsTheChildIsSkippedAndTheRestAreRead() throws {
        let executable = try #require(SuiteRunnerTests.optbenchExecutable, "the optbench executable must be built beside the tests")
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let crash = directory + "/crash.h5", hang = directory + "/hang.h5", good = directory + "/good.h5"
        for (path, trial) in [(crash, 0), (hang, 1), (good, 2)] { try Self.trialFile(path, trial: trial) }
        // Stands in for libhdf5 crashing or looping on a file: it dies or sleeps when the
        // first path it is given is named so, and otherwise is the real reader.
        let script = directory + "/reader"
        try """
        #!/bin/bash
        mapfile -d '' paths
        case "${paths[0]}" in *crash.h5) kill -SEGV $$ ;; *hang.h5) sleep 60 ;; esac
        printf '%s\\0' "${paths[@]}" | exec '\(executable)' read-results
        """.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)

        let start = Date()
        // 5 s: long enough for a loaded machine (a parallel test run) to start bash and the
        // reader, which a 1 s limit was not.
        let results = IsolatedResultsReader(executable: script, baseTimeLimit: 5).read([crash, hang, good])
        #expect(Date().timeIntervalSince(start) < 40)
        guard results.count == 3, case .failure(let crashed) = results[0], case .failure(let hung) = results[1] else {
            Issue.record("expected two failures, got \(results)")
            return
        }
        #expect(crashed.description == "\(crash): the reader process was killed by signal 11 (Segmentation fault) while reading this file (corrupt HDF5); skipped")
        #expect(hung.description == "\(hang): reading did not finish within 5 s (libhdf5 hangs on some corrupt files); skipped")
        #expect(try results[2].get().trials.first?.key.trial == 2)
    }
}
