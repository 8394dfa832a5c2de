import Core
import Foundation
import Testing
@testable import Results

/// Merging trial files into one results file.
@Suite struct ResultsMergeTests {
    /// Three valid trial files (two workloads, two rulesets) written under `directory`.
    static func writeThreeTrials(in directory: String) throws -> (paths: [String], records: [TrialRecord], origins: [Provenance]) {
        let records = [
            ResultsFixtures.reachedTrial(submission: "adamw", trial: 0),
            ResultsFixtures.reachedTrial(submission: "adamw", workload: ResultsFixtures.workload("regression_wide", target: 0.5), trial: 3),
            ResultsFixtures.crashedTrial(submission: "nesterov", trial: 1),
        ]
        let origins = (0..<3).map { ResultsFixtures.provenance(host: "node-\($0)") }
        var paths: [String] = []
        for (record, origin) in zip(records, origins) {
            let key = record.key
            let path = "\(directory)/\(key.ruleset)/\(key.submission)/\(key.workload)/study_\(key.study)/trial_\(key.trial).h5"
            try TrialFile.write(record, provenance: origin, to: path)
            paths.append(path)
        }
        return (paths, records, origins)
    }

    @Test func mergeSkipsACorruptFileAndKeepsTheRest() throws {
        let directory = try ResultsFixtures.temporaryDirectory("merge")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (paths, records, origins) = try Self.writeThreeTrials(in: directory + "/trials")
        let corrupt = directory + "/trials/external/adamw/regression/study_0/trial_9.h5"
        try Data(repeating: 0x89, count: 100).write(to: URL(fileURLWithPath: corrupt))

        let inputs = ResultsFile.trialFiles(under: directory + "/trials")
        #expect(inputs == (paths + [corrupt]).sorted())
        let output = directory + "/results.h5"
        let mergeProvenance = ResultsFixtures.provenance(host: "merger", created: "2026-11-23T08:00:00Z")
        let report = try ResultsFile.merge(inputs, into: output, provenance: mergeProvenance)

        #expect(report.mergedTrials == 3)
        #expect(report.inputs == 4)
        #expect(report.output == output)
        let skipped = try #require(report.skipped.first)
        #expect(report.skipped.count == 1)
        #expect(skipped.path == corrupt)
        #expect(skipped.key == nil)
        #expect(skipped.reason.contains(corrupt))
        #expect(skipped.reason.contains("cannot be opened as HDF5"))
        #expect(report.description.contains("skipped \(corrupt)"))

        // The merged file reads back as exactly the inputs, each with its own provenance.
        let merged = try ResultsFile.read(output)
        #expect(merged.provenance == mergeProvenance)
        #expect(merged.trials.map(\.key) == records.map(\.key).sorted())
        for (record, origin) in zip(records, origins) {
            let read = try #require(merged.trials.first { $0.key == record.key })
            #expect(ResultsFixtures.same(read, record))
            #expect(merged.provenance(of: record.key) == origin)
        }
        #expect(merged.workloads.map(\.name) == ["regression", "regression_wide"])
        #expect(TrialFile.isComplete(at: output))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["results.h5", "trials"])
    }

    @Test func duplicateKeysKeepTheFirstInputAndReportTheRest() throws {
        let directory = try ResultsFixtures.temporaryDirectory("duplicates")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = directory + "/a.h5", second = directory + "/b.h5"
        let original = ResultsFixtures.reachedTrial()
        var rerun = original
        rerun.seed = 99
        try TrialFile.write(original, provenance: ResultsFixtures.provenance(), to: first)
        try TrialFile.write(rerun, provenance: ResultsFixtures.provenance(), to: second)

        let report = try ResultsFile.merge([first, second], into: directory + "/out.h5", provenance: ResultsFixtures.provenance())
        #expect(report.mergedTrials == 1)
        #expect(report.skipped == [.init(path: second, key: original.key, reason: "duplicate trial key; kept the one from \(first)")])
        #expect(try ResultsFile.read(directory + "/out.h5").trials.map(\.seed) == [original.seed])
    }

    @Test func aTrialWhoseWorkloadRecordChangedIsSkipped() throws {
        let directory = try ResultsFixtures.temporaryDirectory("conflict")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = directory + "/a.h5", second = directory + "/b.h5"
        try TrialFile.write(ResultsFixtures.reachedTrial(trial: 0), provenance: ResultsFixtures.provenance(), to: first)
        let changed = ResultsFixtures.reachedTrial(workload: ResultsFixtures.workload(target: 0.25), trial: 1)
        try TrialFile.write(changed, provenance: ResultsFixtures.provenance(), to: second)

        let report = try ResultsFile.merge([first, second], into: directory + "/out.h5", provenance: ResultsFixtures.provenance())
        #expect(report.mergedTrials == 1)
        #expect(report.skipped.map(\.key) == [changed.key])
        #expect(report.skipped.first?.reason.contains("workload 'regression' differs") == true)
    }

    @Test func mergingMergedFilesGivesTheUnion() throws {
        let directory = try ResultsFixtures.temporaryDirectory("remerge")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (paths, records, _) = try Self.writeThreeTrials(in: directory + "/trials")
        _ = try ResultsFile.merge(Array(paths.prefix(2)), into: directory + "/part1.h5", provenance: ResultsFixtures.provenance())
        _ = try ResultsFile.merge([paths[2]], into: directory + "/part2.h5", provenance: ResultsFixtures.provenance())
        let report = try ResultsFile.merge(
            [directory + "/part1.h5", directory + "/part2.h5"], into: directory + "/all.h5", provenance: ResultsFixtures.provenance())
        #expect(report.mergedTrials == 3 && report.skipped.isEmpty)
        let all = try ResultsFile.read(directory + "/all.h5").trials
        #expect(all.count == 3)
        for (read, record) in zip(all, records.sorted { $0.key < $1.key }) { #expect(ResultsFixtures.same(read, record)) }
    }

    @Test func nothingToMergeThrowsAndWritesNothing() throws {
        let directory = try ResultsFixtures.temporaryDirectory("nothing")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/out.h5"
        let error = #expect(throws: InputError.self) {
            try ResultsFile.merge([directory + "/missing.h5"], into: output, provenance: ResultsFixtures.provenance())
        }
        #expect(error?.message.contains("missing.h5") == true)
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
