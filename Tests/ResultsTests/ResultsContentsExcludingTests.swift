import Core
import Foundation
import Testing
@testable import Results

/// Dropping workloads from a results file, as a calibration does when it rewrites the
/// calibration file with new trials of some workloads and keeps every other one's.
@Suite struct ResultsContentsExcludingTests {
    static let wide = ResultsFixtures.workload("regression_wide", target: 0.5)

    static func earlierFile() throws -> ResultsContents {
        let records = [
            ResultsFixtures.reachedTrial(submission: "adamw", trial: 0),
            ResultsFixtures.reachedTrial(submission: "adamw", workload: wide, trial: 3),
            ResultsFixtures.reachedTrial(submission: "nesterov", workload: wide, trial: 4),
        ]
        let origins = (0..<3).map { ResultsFixtures.provenance(host: "node-\($0)") }
        return try ResultsContents(
            provenance: ResultsFixtures.provenance(host: "merger"), trials: records,
            trialProvenance: Dictionary(uniqueKeysWithValues: zip(records.map(\.key), origins)))
    }

    @Test func theOtherWorkloadsStayWithTheirOwnProvenance() throws {
        let earlier = try Self.earlierFile()
        let kept = try #require(try earlier.excludingWorkloads(["regression"]))
        #expect(kept.trials.map(\.key.trial) == [3, 4])
        #expect(kept.trials.allSatisfy { $0.workload.name == "regression_wide" })
        #expect(kept.provenance(of: kept.trials[0].key).host == "node-1")
        #expect(kept.provenance(of: kept.trials[1].key).host == "node-2")
        #expect(kept.provenance.host == "merger")
        #expect(kept.workloads.map(\.name) == ["regression_wide"])
    }

    @Test func nothingLeftIsNil() throws {
        let earlier = try Self.earlierFile()
        #expect(try earlier.excludingWorkloads(["regression", "regression_wide"]) == nil)
        #expect(try earlier.excludingWorkloads([]) == earlier)
    }

    /// The calibration's merge: the new trial file of the calibrated workload replaces
    /// that workload's trials in the earlier file, beside the others' old ones.
    @Test func aCalibrationMergeKeepsTheOtherWorkloads() throws {
        let directory = try ResultsFixtures.temporaryDirectory("excluding")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fresh = ResultsFixtures.reachedTrial(submission: "heavy_ball", trial: 7)
        let freshPath = directory + "/trial_7.h5"
        try TrialFile.write(fresh, provenance: ResultsFixtures.provenance(host: "today"), to: freshPath)
        let output = directory + "/calibration.h5"
        try ResultsFile.write(try Self.earlierFile(), to: output)
        let report = try ResultsFile.merge(
            [freshPath], replacing: ["regression"], keepingTheRestOf: output, provenance: ResultsFixtures.provenance(host: "calibrate"))
        #expect(report.mergedTrials == 3)
        #expect(report.skipped.isEmpty)
        let merged = try ResultsFile.read(output)
        #expect(Set(merged.trials.map { "\($0.workload.name)/\($0.key.submission)/\($0.key.trial)" })
                == ["regression/heavy_ball/7", "regression_wide/adamw/3", "regression_wide/nesterov/4"])
        #expect(merged.provenance(of: fresh.key).host == "today")
    }
}
