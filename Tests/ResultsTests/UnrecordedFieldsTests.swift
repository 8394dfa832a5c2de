import Core
import Foundation
import Testing
@testable import Results

/// Fields a run did not record (AlgoPerf records no example or oracle counts and no
/// memory figures) are stored as -1 and read back as absent, never as zero.
@Suite struct UnrecordedFieldsTests {
    static func unrecorded() -> TrialRecord {
        var record = ResultsFixtures.reachedTrial()
        record.stateBytes = nil
        record.peakResidentBytes = nil
        record.oracleCallsToTarget = nil
        record.evaluations = record.evaluations.map { row in
            var row = row
            (row.examples, row.gradientEvaluations, row.hessianVectorProducts, row.functionEvaluations) = (nil, nil, nil, nil)
            return row
        }
        return record
    }

    @Test func absentCountsAndMemoryRoundTripAsAbsent() throws {
        let directory = try ResultsFixtures.temporaryDirectory("unrecorded")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial.h5"
        try TrialFile.write(Self.unrecorded(), provenance: ResultsFixtures.provenance(), to: path)
        let read = try #require(try ResultsFile.read(path).trials.first)
        #expect(ResultsFixtures.same(read, Self.unrecorded()))
        #expect(read.stateBytes == nil && read.peakResidentBytes == nil)
        #expect(read.evaluations.allSatisfy { $0.examples == nil && $0.oracleCalls == nil })
        let evals = try ["trials", "external", "adamw", "regression", "study_0", "trial_1", "evals"].reduce(HDF5File.open(path).root()) { try $0.openGroup($1) }
        #expect(try evals.intDataset("grad_evals") == [-1, -1, -1])
    }

    @Test func theByteFormKeepsThemAbsent() throws {
        var writer = ByteWriter()
        Self.unrecorded().encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        let decoded = try TrialRecord(from: &reader)
        #expect(ResultsFixtures.same(decoded, Self.unrecorded()))
    }
}
