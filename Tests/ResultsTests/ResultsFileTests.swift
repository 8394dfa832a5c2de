import CHDF5
import Core
import Foundation
import Testing
@testable import Results

/// Reading results files: clear errors for broken files, file listing, h5dump interoperability.
@Suite struct ResultsFileTests {
    @Test func readingABrokenFileNamesTheFileAndTheProblem() throws {
        let directory = try ResultsFixtures.temporaryDirectory("broken")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = directory + "/missing.h5"
        let notFound = #expect(throws: HDF5Error.self) { try ResultsFile.read(missing) }
        #expect(notFound?.description == "\(missing): does not exist")

        let valid = directory + "/valid.h5"
        try TrialFile.write(ResultsFixtures.reachedTrial(), provenance: ResultsFixtures.provenance(), to: valid)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: valid))
        let truncated = directory + "/truncated.h5"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let truncation = #expect(throws: HDF5Error.self) { try ResultsFile.read(truncated) }
        #expect(truncation?.file == truncated)
        #expect(truncation?.description.contains("truncated file: eof = \(bytes.count / 2)") == true)

        let unfinished = directory + "/unfinished.h5"
        let file = try HDF5File.create(unfinished)
        try file.close()
        let incomplete = #expect(throws: HDF5Error.self) { try ResultsFile.read(unfinished) }
        #expect(incomplete?.description.contains("is incomplete") == true)
    }

    @Test func readingAFileOffTheLayoutNamesTheObject() throws {
        let directory = try ResultsFixtures.temporaryDirectory("layout")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial.h5"
        let record = ResultsFixtures.reachedTrial()
        try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: path)
        let trialPath = ResultsLayout.trialPath(record.key)
        #expect(trialPath == "/trials/external/adamw/regression/study_0/trial_1")

        // Corrupt the status, then drop a column: each read names what is wrong and where.
        try HDF5File.updateAtomically(at: path) { root in
            let trial = try root.openGroup("trials").openGroup("external").openGroup("adamw").openGroup("regression")
                .openGroup("study_0").openGroup("trial_1")
            try trial.setAttribute("status", "finished")
        }
        let status = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(status?.object == trialPath)
        #expect(status?.message.contains("found \"finished\"") == true)

        try HDF5File.updateAtomically(at: path) { root in
            let trial = try root.openGroup("trials").openGroup("external").openGroup("adamw").openGroup("regression")
                .openGroup("study_0").openGroup("trial_1")
            try trial.setAttribute("status", "diverged")
            try trial.openGroup("evals").remove("hvp_evals")
        }
        let column = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(column?.description == "\(path): \(trialPath)/evals/hvp_evals: is missing")
    }

    @Test func aValueChangedAfterWritingFailsTheDigest() throws {
        let directory = try ResultsFixtures.temporaryDirectory("digest")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial.h5"
        let record = ResultsFixtures.reachedTrial()
        try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: path)
        #expect(try ResultsFile.read(path).trials.map(\.seed) == [record.seed])
        // A well-formed file whose numbers changed: the layout holds, the digest does not.
        try HDF5File.updateAtomically(at: path) { root in
            let trial = try ["trials", "external", "adamw", "regression", "study_0", "trial_1"].reduce(root) { try $0.openGroup($1) }
            try trial.setAttribute("seed", UInt64(7))
        }
        let error = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(error?.object == ResultsLayout.trialPath(record.key))
        #expect(error?.message.contains("does not match its digest") == true)
        // The root's provenance is covered too.
        try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: path)
        try HDF5File.updateAtomically(at: path) { root in try root.setAttribute("host", "elsewhere") }
        let rootError = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(rootError?.object == "/")
        #expect(rootError?.message.contains("does not match its digest") == true)
    }

    /// A trial group unlinked behind the writer's back (as a damaged link table can hide one):
    /// the root's recorded counts, which its digest covers, refuse the smaller file; a count
    /// changed to match fails the digest.
    @Test func aTrialGroupThatNoLongerShowsIsRefused() throws {
        let directory = try ResultsFixtures.temporaryDirectory("counts")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial.h5"
        try TrialFile.write(ResultsFixtures.reachedTrial(), provenance: ResultsFixtures.provenance(), to: path)
        try HDF5File.updateAtomically(at: path) { root in
            let study = try ["trials", "external", "adamw", "regression", "study_0"].reduce(root) { try $0.openGroup($1) }
            #expect(H5Ldelete(study.id, "trial_1", HDF5Library.defaultProperties) >= 0)
        }
        let error = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(error?.object == "/")
        #expect(error?.message.hasPrefix("shows 0 trial and 1 workload groups where its writer recorded 1 and 1") == true)
        try HDF5File.updateAtomically(at: path) { root in try root.setAttribute(ResultsLayout.trialCountAttribute, 0) }
        let digestError = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(digestError?.message.contains("does not match its digest") == true)
    }

    @Test func theSnapshotRatioIsReadAbsentAsNoneAndCheckedWhenPresent() throws {
        let directory = try ResultsFixtures.temporaryDirectory("snapshot-ratio")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial.h5"
        var record = ResultsFixtures.reachedTrial()
        #expect(record.snapshotRatio == 1.08)
        try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: path)
        #expect(try ResultsFile.read(path).trials.first?.snapshotRatio == 1.08)
        record.snapshotRatio = nil
        try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: path)
        #expect(try ResultsFile.read(path).trials.first.map { $0.snapshotRatio == nil } == true)
        // A file from before the attribute existed: the digest never covered it, so removing
        // it from a record without snapshots leaves a valid file.
        let trialPath = ["trials", "external", "adamw", "regression", "study_0", "trial_1"]
        try HDF5File.updateAtomically(at: path) { root in
            try trialPath.reduce(root) { try $0.openGroup($1) }.removeAttribute("snapshot_ratio")
        }
        #expect(try ResultsFile.read(path).trials.first.map { $0.snapshotRatio == nil } == true)
        try HDF5File.updateAtomically(at: path) { root in
            try trialPath.reduce(root) { try $0.openGroup($1) }.setAttribute("snapshot_ratio", 0.5)
        }
        let error = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(error?.message.contains("'snapshot_ratio' must be NaN (no snapshots) or a finite ratio above 1, found 0.5") == true)
    }

    /// `Tests/Fixtures/results/schema1-trial.h5`: a trial written before schema 2.
    static let schema1File = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/results/schema1-trial.h5").path

    @Test func aSchema1FileWithVariableLengthStringsAndNoDigestsIsStillRead() throws {
        let contents = try ResultsFile.read(Self.schema1File)
        #expect(contents.provenance.schemaVersion == 1)
        #expect(contents.provenance.gitCommit == "6acc6638a832acc75abb537a8ca3e6bab1356c12")
        let trial = try #require(contents.trials.first)
        #expect(contents.trials.count == 1)
        #expect(trial.key.label == "self/adamw/regression/study_0/trial_0")
        #expect(trial.status == .budgetExhausted)
        #expect(trial.seed == 14_928_267_466_485_027_952)
        #expect(trial.timeToTarget == nil)
        #expect(trial.evaluations.count == 32)
        #expect(trial.evaluations.last?.step == 6050)
        #expect(trial.hyperparameters.values["learning_rate"] == 0.003)
        #expect(trial.history.isEmpty && trial.maximumSteps == nil && trial.stopAtTarget)
        // Written again, it is schema 2 and reads back to the same contents.
        let directory = try ResultsFixtures.temporaryDirectory("schema1")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ResultsFile.write(contents, to: directory + "/again.h5")
        let again = try ResultsFile.read(directory + "/again.h5")
        #expect(again.provenance.schemaVersion == ResultsLayout.schemaVersion)
        #expect(again.trials.map { $0.encodedForComparison } == contents.trials.map { $0.encodedForComparison })
    }

    @Test func aNonFiniteTargetIsBlamedOnTheFileThatHoldsIt() throws {
        let directory = try ResultsFixtures.temporaryDirectory("nan-target")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial.h5"
        try TrialFile.write(ResultsFixtures.reachedTrial(), provenance: ResultsFixtures.provenance(), to: path)
        try HDF5File.updateAtomically(at: path) { root in
            try root.openGroup("workloads").openGroup("regression").setAttribute("validation_target", Double.nan)
        }
        let error = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(error?.description == "\(path): /workloads/regression: attribute 'validation_target' must be a finite number, found nan")
        // Merge names the input, not the file it was asked to write.
        let merge = #expect(throws: InputError.self) {
            try ResultsFile.merge([path], into: directory + "/out.h5", provenance: ResultsFixtures.provenance())
        }
        #expect(merge?.message.contains("\(path): \(path): /workloads/regression: attribute 'validation_target'") == true, "\(String(describing: merge))")
        #expect(!FileManager.default.fileExists(atPath: directory + "/out.h5"))
    }

    @Test func namesThatAreNotPlainAreRejectedOnReadingAndOnWriting() throws {
        let directory = try ResultsFixtures.temporaryDirectory("names")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial.h5"
        var record = ResultsFixtures.reachedTrial()
        record.key.submission = "x';system 'id';a='"
        let refused = #expect(throws: InputError.self) { try TrialFile.write(record, provenance: ResultsFixtures.provenance(), to: path) }
        #expect(refused?.field == "key.submission")
        #expect(!FileManager.default.fileExists(atPath: path))
        // A file renamed behind the writer's back: the reader refuses the name, escaped.
        try TrialFile.write(ResultsFixtures.reachedTrial(), provenance: ResultsFixtures.provenance(), to: path)
        try HDF5File.updateAtomically(at: path) { root in
            let rulesets = try root.openGroup("trials").openGroup("external")
            let moved = H5Lmove(rulesets.id, "adamw", rulesets.id, "a\nb'c", HDF5Library.defaultProperties, HDF5Library.defaultProperties)
            #expect(moved >= 0)
        }
        let error = #expect(throws: HDF5Error.self) { try ResultsFile.read(path) }
        #expect(error?.object == "/trials/external")
        #expect(error?.message.hasPrefix("member \"a\\nb'c\" is not a plain name") == true)
    }

    @Test func trialFilesListsH5FilesRecursivelySorted() throws {
        let directory = try ResultsFixtures.temporaryDirectory("listing")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for relative in ["b/trial_1.h5", "a/x/trial_0.h5", "a/trial_2.h5.tmp-12-1", "a/trial_0.log", "c.h5"] {
            let path = directory + "/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path, contents: Data())
        }
        try FileManager.default.createDirectory(atPath: directory + "/d.h5", withIntermediateDirectories: true)
        #expect(ResultsFile.trialFiles(under: directory) == ["a/x/trial_0.h5", "b/trial_1.h5", "c.h5"].map { directory + "/" + $0 })
        #expect(ResultsFile.trialFiles(under: directory + "/none").isEmpty)
    }

    @Test func h5dumpReadsAWrittenFile() throws {
        let h5dump = "/usr/bin/h5dump"
        guard FileManager.default.isExecutableFile(atPath: h5dump) else { return }
        let directory = try ResultsFixtures.temporaryDirectory("h5dump")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trial.h5"
        try TrialFile.write(ResultsFixtures.reachedTrial(), provenance: ResultsFixtures.provenance(), to: path)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: h5dump)
        process.arguments = ["-H", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output.contains("GROUP \"trials\""))
        #expect(output.contains("GROUP \"trial_1\""))
        #expect(output.contains("DATASET \"validation_metric\""))
        #expect(output.contains("ATTRIBUTE \"hyperparameters\""))
        #expect(output.contains("H5T_STD_U64LE"))
    }
}

extension TrialRecord {
    /// The record's lossless byte form, for comparing records that hold NaN.
    var encodedForComparison: [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }
}
