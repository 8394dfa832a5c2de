import Core
import Foundation
import Testing
@testable import Results

/// Writing one trial's file: round trip of every field, completeness checks, atomicity.
@Suite struct TrialFileTests {
    @Test func fullRecordAndProvenanceRoundTrip() throws {
        let directory = try ResultsFixtures.temporaryDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let record = ResultsFixtures.reachedTrial()
        let provenance = ResultsFixtures.provenance()
        let path = directory + "/external/adamw/regression/study_0/trial_1.h5"
        try TrialFile.write(record, provenance: provenance, to: path)

        let contents = try ResultsFile.read(path)
        #expect(contents.provenance == provenance)
        #expect(contents.workloads == [record.workload])
        let read = try #require(contents.trials.first)
        #expect(contents.trials.count == 1)
        #expect(ResultsFixtures.same(read, record))
        // Spot checks of what `same` compares, so a broken comparison cannot hide a loss.
        #expect(read.seed == UInt64.max - 12345)
        #expect(read.hyperparameters == record.hyperparameters)
        #expect(read.evaluations[2].trainLoss.isNaN)
        #expect(read.trainLossValues[2] == .infinity)
        #expect(read.evaluations[1] == record.evaluations[1])
        #expect(contents.provenance(of: record.key) == provenance)
    }

    @Test func crashedRecordWithNilFieldsAndEmptyTablesRoundTrips() throws {
        let directory = try ResultsFixtures.temporaryDirectory("crashed")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let record = ResultsFixtures.crashedTrial()
        let path = directory + "/trial.h5"
        try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: path)
        let read = try #require(try ResultsFile.read(path).trials.first)
        #expect(read == record)
        #expect(read.timeToTarget == nil && read.stepsToTarget == nil && read.oracleCallsToTarget == nil)
        #expect(read.evaluations.isEmpty && read.trainLossSteps.isEmpty)
        #expect(read.workload.variantOf == nil)
        #expect(TrialFile.isComplete(at: path))
    }

    @Test func isCompleteOnlyForAFinishedTrialFile() throws {
        let directory = try ResultsFixtures.temporaryDirectory("complete")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = directory + "/written.h5"
        try TrialFile.write(ResultsFixtures.reachedTrial(), provenance: ResultsFixtures.provenance(), to: written)
        #expect(TrialFile.isComplete(at: written))

        #expect(!TrialFile.isComplete(at: directory + "/missing.h5"))
        #expect(!TrialFile.isComplete(at: directory))

        let empty = directory + "/empty.h5"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(!TrialFile.isComplete(at: empty))

        let bytes = try Data(contentsOf: URL(fileURLWithPath: written))
        let truncated = directory + "/truncated.h5"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect(!TrialFile.isComplete(at: truncated))

        var generator = SystemRandomNumberGenerator()
        let random = directory + "/random.h5"
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: random))
        #expect(!TrialFile.isComplete(at: random))

        // Valid HDF5, but the writer never set `complete`.
        let unfinished = directory + "/unfinished.h5"
        let file = try HDF5File.create(unfinished)
        try ResultsFixtures.provenance().write(to: file.root())
        try file.close()
        #expect(!TrialFile.isComplete(at: unfinished))
    }

    @Test func atomicWriteLeavesOnlyTheFinalFileAndReplacesAnOldOne() throws {
        let directory = try ResultsFixtures.temporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial_0.h5"
        try Data(repeating: 0x89, count: 100).write(to: URL(fileURLWithPath: path))
        #expect(!TrialFile.isComplete(at: path))
        try TrialFile.write(ResultsFixtures.crashedTrial(), provenance: ResultsFixtures.provenance(), to: path)
        try TrialFile.write(ResultsFixtures.reachedTrial(), provenance: ResultsFixtures.provenance(), to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["trial_0.h5"])
        #expect(try ResultsFile.read(path).trials.map(\.status) == [.reachedTarget])
    }

    @Test func failedWriteThrowsAndLeavesNoPartialFile() throws {
        let directory = try ResultsFixtures.temporaryDirectory("failed")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let record = ResultsFixtures.reachedTrial()

        // The target is a directory: the rename fails after the temporary was written.
        let occupied = directory + "/occupied.h5"
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: false)
        #expect(throws: HDF5Error.self) { try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: occupied) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["occupied.h5"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied).isEmpty)

        // A parent "directory" that is a regular file cannot be created.
        let blocker = directory + "/blocker"
        _ = FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        #expect(throws: HDF5Error.self) { try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: blocker + "/sub/trial.h5") }

        // A key that cannot name a group is rejected before anything is written.
        var bad = record
        bad.key.submission = "adam/w"
        let badPath = directory + "/bad.h5"
        let error = #expect(throws: InputError.self) { try TrialFile.write(bad, provenance: ResultsFixtures.provenance(), to: badPath) }
        #expect(error?.source == badPath)
        #expect(error?.field == "key.submission")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["blocker", "occupied.h5"])
    }
}

/// The suite runner writes and checks trial files from several threads at once.
@Suite struct TrialFileConcurrencyTests {
    @Test func concurrentWritesAndReadsFromManyThreadsAllSucceed() throws {
        let directory = try ResultsFixtures.temporaryDirectory("threads")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let path = "\(directory)/s\(i % 4)/trial_\(i).h5"
            do {
                try TrialFile.write(ResultsFixtures.reachedTrial(trial: i), provenance: ResultsFixtures.provenance(), to: path)
                guard TrialFile.isComplete(at: path), try ResultsFile.read(path).trials.first?.key.trial == i else {
                    failures.add("trial \(i) did not read back")
                    return
                }
            } catch {
                failures.add("trial \(i): \(error)")
            }
        }
        #expect(failures.messages.isEmpty)
        #expect(ResultsFile.trialFiles(under: directory).count == 16)
    }
}

private final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ message: String) { lock.withLock { stored.append(message) } }
    var messages: [String] { lock.withLock { stored } }
}
