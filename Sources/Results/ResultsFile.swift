import Core
import Foundation

/// Reading and writing results files. A trial's own file and a merged results file share
/// one layout (results/README.md), so everything here works on both.
public enum ResultsFile {
    /// Reads a results file (or a single trial's file).
    ///
    /// Throws `HDF5Error` naming the file, the object inside it and what is wrong when the
    /// file is missing, not HDF5, truncated, unfinished (no `complete` attribute) or does
    /// not follow the layout. Score tables under `/scores` are not read here; open the file
    /// with `HDF5File.open` for those.
    public static func read(_ path: String) throws -> ResultsContents {
        try HDF5Library.locked {
            let file = try HDF5File.open(path)
            defer { try? file.close() }
            return try read(file)
        }
    }

    /// Writes `contents` to `path` atomically (see `HDF5File.writeAtomically`): trials,
    /// workloads, root provenance, whatever `additionally` adds to the root (score
    /// tables) and, last, the `complete` attribute.
    public static func write(
        _ contents: ResultsContents, to path: String, additionally: (HDF5Group) throws -> Void = { _ in }
    ) throws {
        try validate(contents, path: path)
        // The root's schema_version says which layout the file is in: this build's.
        var rootProvenance = contents.provenance
        rootProvenance.schemaVersion = ResultsLayout.schemaVersion
        try HDF5File.writeAtomically(to: path) { root in
            try rootProvenance.write(to: root)
            let workloads = try root.createGroup(ResultsLayout.workloadsGroup)
            for workload in contents.workloads {
                try workload.write(to: workloads.createGroup(workload.name))
            }
            let trials = try root.createGroup(ResultsLayout.trialsGroup)
            for trial in contents.trials {
                let key = trial.key
                let group = try trials.group(key.ruleset).group(key.submission).group(key.workload)
                    .group(ResultsLayout.studyName(key.study)).createGroup(ResultsLayout.trialName(key.trial))
                let provenance = contents.provenance(of: key)
                try trial.write(to: group, provenance: provenance)
                try group.setAttribute(ResultsLayout.digestAttribute, trial.digest(provenance: provenance))
            }
            let counts = GroupCounts(trials: contents.trials.count, workloads: contents.workloads.count)
            try root.setAttribute(ResultsLayout.trialCountAttribute, counts.trials)
            try root.setAttribute(ResultsLayout.workloadCountAttribute, counts.workloads)
            try root.setAttribute(ResultsLayout.digestAttribute, rootProvenance.digest(counts: counts))
            try additionally(root)
            try root.setAttribute(ResultsLayout.completeAttribute, 1)
        }
    }

    /// Paths of all `*.h5` files under `directory` (recursively), sorted; empty when the
    /// directory does not exist. Temporary files of unfinished writes are not listed.
    public static func trialFiles(under directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".h5") else { continue }
            let path = (directory as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                paths.append(path)
            }
        }
        return paths.sorted()
    }

    // MARK: - Reading

    private static func read(_ file: HDF5File) throws -> ResultsContents {
        let root = try file.root()
        guard try root.hasAttribute(ResultsLayout.completeAttribute),
            try root.intAttribute(ResultsLayout.completeAttribute) == 1
        else {
            throw HDF5Error(
                file: file.path, object: "/",
                message: "is incomplete: root attribute '\(ResultsLayout.completeAttribute)' is missing (the writer did not finish)")
        }
        let provenance = try Provenance(readingFrom: root)
        let checksDigests = provenance.schemaVersion >= ResultsLayout.firstVersionWithDigests
        let counts = try GroupCounts(readingFrom: root)
        if checksDigests { try checkDigest(provenance.digest(counts: counts), of: root) }
        var workloads: [String: WorkloadRecord] = [:]
        let workloadsGroup = try root.openGroup(ResultsLayout.workloadsGroup)
        for name in try workloadsGroup.childNames() {
            try checkName(name, in: workloadsGroup)
            workloads[name] = try WorkloadRecord(readingFrom: workloadsGroup.openGroup(name), name: name)
        }
        var trials: [TrialRecord] = []
        var trialProvenance: [TrialKey: Provenance] = [:]
        let trialsGroup = try root.openGroup(ResultsLayout.trialsGroup)
        try forEachTrialGroup(in: trialsGroup) { key, group in
            guard let workload = workloads[key.workload] else {
                throw HDF5Error(
                    file: file.path, object: group.path,
                    message: "refers to workload '\(key.workload)', which /\(ResultsLayout.workloadsGroup) does not describe")
            }
            let (trial, origin) = try TrialRecord.read(from: group, key: key, workload: workload)
            if checksDigests { try checkDigest(trial.digest(provenance: origin), of: group) }
            trials.append(trial)
            trialProvenance[key] = origin
        }
        trials.sort { $0.key < $1.key }
        if let counts, counts != GroupCounts(trials: trials.count, workloads: workloads.count) {
            throw HDF5Error(
                file: file.path, object: "/",
                message: "shows \(trials.count) trial and \(workloads.count) workload groups where its writer recorded \(counts.trials) and \(counts.workloads): the file was changed or corrupted after it was written")
        }
        return ResultsContents(
            provenance: provenance, sortedTrials: trials, workloads: workloads.values.sorted { $0.name < $1.name },
            trialProvenance: trialProvenance)
    }

    /// Walks `/trials/<ruleset>/<submission>/<workload>/study_<k>/trial_<i>`.
    private static func forEachTrialGroup(in trials: HDF5Group, _ body: (TrialKey, HDF5Group) throws -> Void) throws {
        for ruleset in try trials.childNames() {
            try checkName(ruleset, in: trials)
            let rulesetGroup = try trials.openGroup(ruleset)
            for submission in try rulesetGroup.childNames() {
                try checkName(submission, in: rulesetGroup)
                let submissionGroup = try rulesetGroup.openGroup(submission)
                for workload in try submissionGroup.childNames() {
                    try checkName(workload, in: submissionGroup)
                    let workloadGroup = try submissionGroup.openGroup(workload)
                    for studyName in try workloadGroup.childNames() {
                        let study = try index(studyName, prefix: "study_", in: workloadGroup)
                        let studyGroup = try workloadGroup.openGroup(studyName)
                        for trialName in try studyGroup.childNames() {
                            let trial = try index(trialName, prefix: "trial_", in: studyGroup)
                            let key = TrialKey(submission: submission, workload: workload, ruleset: ruleset, study: study, trial: trial)
                            try body(key, studyGroup.openGroup(trialName))
                        }
                    }
                }
            }
        }
    }

    private static func index(_ name: String, prefix: String, in group: HDF5Group) throws -> Int {
        guard let value = ResultsLayout.index(in: name, prefix: prefix), value <= ResultsLayout.maximumIndex else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "member \(PlainName.escaped(name)) is not named \(prefix)<number up to \(ResultsLayout.maximumIndex)>")
        }
        return value
    }

    /// Rejects a group name that does not follow `PlainName` before it is opened, used or
    /// printed (the error shows it escaped, under its parent's path).
    private static func checkName(_ name: String, in parent: HDF5Group) throws {
        guard PlainName.isValid(name) else {
            throw HDF5Error(
                file: parent.file.path, object: parent.path,
                message: "member \(PlainName.escaped(name)) is not a plain name (\(PlainName.ruleDescription))")
        }
    }

    /// Compares the digest stored on `group` with the one computed from what was read.
    private static func checkDigest(_ computed: UInt64, of group: HDF5Group) throws {
        guard try group.hasAttribute(ResultsLayout.digestAttribute) else {
            throw HDF5Error(file: group.file.path, object: group.path, message: "has no '\(ResultsLayout.digestAttribute)' attribute, which schema 2 files carry")
        }
        let stored = try group.uint64Attribute(ResultsLayout.digestAttribute)
        guard stored == computed else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "does not match its digest (stored \(String(stored, radix: 16)), computed \(String(computed, radix: 16))): the file was changed or corrupted after it was written")
        }
    }

    // MARK: - Validation before writing

    /// Rejects contents that would not read back as written, naming the file and field.
    private static func validate(_ contents: ResultsContents, path: String) throws {
        func check(_ name: String, _ field: String) throws {
            try PlainName.validated(name, source: path, field: field)
        }
        var workloadNames: [String: WorkloadRecord] = [:]
        for workload in contents.workloads {
            try check(workload.name, "workload.name")
            guard workloadNames.updateValue(workload, forKey: workload.name) == nil else {
                throw InputError(source: path, field: "workloads", message: "names workload '\(workload.name)' twice")
            }
        }
        var keys: Set<TrialKey> = []
        for trial in contents.trials {
            let key = trial.key
            try check(key.ruleset, "key.ruleset")
            try check(key.submission, "key.submission")
            try check(key.workload, "key.workload")
            guard (0...ResultsLayout.maximumIndex).contains(key.study), (0...ResultsLayout.maximumIndex).contains(key.trial) else {
                throw InputError(source: path, field: "key", message: "study and trial must be in 0...\(ResultsLayout.maximumIndex) in \(key.label)")
            }
            for name in trial.hyperparameters.values.keys { try check(name, "hyperparameters") }
            guard keys.insert(key).inserted else {
                throw InputError(source: path, field: "trials", message: "holds the key \(key.label) twice")
            }
            guard trial.workload.name == key.workload else {
                throw InputError(
                    source: path, field: "workload.name",
                    message: "'\(trial.workload.name)' differs from the key's workload in \(key.label)")
            }
            guard workloadNames[key.workload] == trial.workload else {
                throw InputError(
                    source: path, field: "workloads", message: "do not hold the workload record of trial \(key.label)")
            }
            for (field, value) in [("stepsToTarget", trial.stepsToTarget), ("oracleCallsToTarget", trial.oracleCallsToTarget)] {
                if let value, value < 0 {
                    throw InputError(source: path, field: field, message: "must be nil or non-negative, found \(value) in \(key.label)")
                }
            }
        }
    }
}
