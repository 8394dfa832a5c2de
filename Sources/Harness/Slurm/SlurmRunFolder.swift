import Core
import Foundation

/// Where a run's Slurm submissions live: `<run folder>/slurm/submission-<k>/` for the k-th
/// submission (1, 2, ...), each with `submission.json` (the plan, see `ClusterSubmission`),
/// one file per array task under `tasks/`, the two batch scripts, `jobs.json` (the job ids Slurm gave them) and `logs/` (each
/// task's and the finishing job's output). Trial files stay where a local run puts them.
public struct SlurmRunFolder: Sendable {
    /// The run folder, `results/runs/<run>`.
    public var runDirectory: String

    public init(runDirectory: String) {
        self.runDirectory = runDirectory
    }

    public var slurmDirectory: String { "\(runDirectory)/slurm" }

    public func submissionDirectory(_ number: Int) -> String { "\(slurmDirectory)/submission-\(number)" }
    public func submissionFile(_ number: Int) -> String { "\(submissionDirectory(number))/submission.json" }
    public func jobsFile(_ number: Int) -> String { "\(submissionDirectory(number))/jobs.json" }
    public func logDirectory(_ number: Int) -> String { "\(submissionDirectory(number))/logs" }
    /// The folder of the array tasks' own files, `tasks/task_<i>.json` (see `ClusterSubmission.taskFile(_:)`).
    public func tasksDirectory(_ number: Int) -> String { "\(submissionDirectory(number))/tasks" }

    /// Array task `task`'s file in the tasks folder `directory`.
    public static func taskFile(_ task: Int, in directory: String) -> String { "\(directory)/task_\(task).json" }

    /// The numbers of the submissions made so far, ascending (folder names that do not
    /// follow `submission-<k>` are ignored).
    public var submissionNumbers: [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: slurmDirectory)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("submission-"), let number = Int(name.dropFirst("submission-".count)),
                  number > 0, String(number) == name.dropFirst("submission-".count) else { return nil }
            return number
        }.sorted()
    }

    /// The job ids of one submission: its array (nil when nothing was pending) and its
    /// finishing job.
    public struct Jobs: Sendable, Equatable {
        public var array: String?
        public var finish: String

        public init(array: String?, finish: String) {
            self.array = array
            self.finish = finish
        }
    }

    /// Writes `jobs.json` of submission `number` atomically.
    public func write(_ jobs: Jobs, number: Int) throws {
        let value = JSONValue.object(["array": jobs.array.map(JSONValue.string) ?? .null, "finish": .string(jobs.finish)])
        try AtomicFile.write(value.serialized + "\n", to: jobsFile(number))
    }

    /// Reads and validates `jobs.json` of submission `number`; nil when there is none
    /// (a submission interrupted before `sbatch` answered).
    public func jobs(number: Int) throws -> Jobs? {
        let path = jobsFile(number)
        guard FileAccess.kind(of: path) != .missing else { return nil }
        var reader = try JSONObjectReader(JSONValue.load(contentsOf: path), source: path)
        let array = reader.optionalValue("array") == .null ? nil : try Self.jobID(&reader, "array")
        let finish = try Self.jobID(&reader, "finish")
        try reader.finish()
        return Jobs(array: array, finish: finish)
    }

    private static func jobID(_ reader: inout JSONObjectReader, _ key: String) throws -> String {
        let id = try reader.string(key)
        guard SlurmClient.jobID(fromParsable: id) == id else {
            throw InputError(source: reader.source, field: reader.fieldPath(key), message: "must be a Slurm job id (decimal digits), found \(PlainName.escaped(id))")
        }
        return id
    }
}
