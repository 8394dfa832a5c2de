import Core
import Foundation
import Results

/// One submission of a run to a cluster: the run's whole plan (every trial's request, the
/// same as a local run plans), which of its trials were pending and so submitted, and how
/// they are split over the array's tasks. Written to the run folder as JSON before
/// anything is submitted; each array task and the dependent finishing job read it back,
/// validated field by field like any file from outside, so no name or number from it
/// reaches a path, a process or a shell unchecked.
public struct ClusterSubmission: Sendable, Equatable {
    /// The value of the file's `format` field.
    public static let format = "optbench-cluster-submission"
    /// The only version this build reads and writes.
    public static let version = 1
    /// The largest submission file read (about 300 bytes per trial: room for 10⁶ trials).
    public static let maximumBytes = 512 << 20

    /// The run's name (`results/<run>.h5`).
    public var run: String
    /// The `optbench` executable the tasks start (absolute).
    public var executable: String
    /// Absolute folders and files of the run: workload specs, trial files, the merged
    /// results file, and the figures folder (nil: no figures).
    public var workloadsDirectory: String
    public var trialsDirectory: String
    public var resultsPath: String
    public var figuresDirectory: String?
    /// BLAS threads per trial (`--cpus-per-task`).
    public var threadsPerTrial: Int
    /// Every trial of the run's plan, in plan order.
    public var trials: [TrialRequest]
    /// Indices into `trials` of those submitted (missing, incomplete or crashed when
    /// submitted), in plan order.
    public var pending: [Int]
    /// Trials each array task runs, one after another.
    public var trialsPerTask: Int

    public init(
        run: String, executable: String, workloadsDirectory: String, trialsDirectory: String, resultsPath: String,
        figuresDirectory: String?, threadsPerTrial: Int, trials: [TrialRequest], pending: [Int], trialsPerTask: Int
    ) {
        self.run = run
        self.executable = executable
        self.workloadsDirectory = workloadsDirectory
        self.trialsDirectory = trialsDirectory
        self.resultsPath = resultsPath
        self.figuresDirectory = figuresDirectory
        self.threadsPerTrial = threadsPerTrial
        self.trials = trials
        self.pending = pending
        self.trialsPerTask = max(1, trialsPerTask)
    }

    /// Trials per array task so that `pending` trials fit an array of at most
    /// `maxArraySize` tasks (Slurm's `MaxArraySize`: indices 0 to `maxArraySize` - 1): one
    /// trial per task when they fit, else the fewest per task that make them fit.
    public static func trialsPerTask(pending: Int, maxArraySize: Int) -> Int {
        let tasks = max(1, maxArraySize)
        return max(1, (pending + tasks - 1) / tasks)
    }

    /// Array tasks: the pending trials in groups of `trialsPerTask`.
    public var taskCount: Int { (pending.count + trialsPerTask - 1) / trialsPerTask }

    /// Indices into `trials` of the trials array task `task` runs (empty past the last task).
    public func trialIndices(ofTask task: Int) -> ArraySlice<Int> {
        let start = task * trialsPerTask
        guard task >= 0, start < pending.count else { return [] }
        return pending[start..<min(start + trialsPerTask, pending.count)]
    }

    /// What array task `task` reads: this submission cut down to the task's own trials,
    /// all pending, in one task. A task file is small whatever the plan's size (parsing
    /// a 10⁵-trial plan takes seconds, which would be paid by every task).
    public func taskFile(_ task: Int) -> ClusterSubmission {
        let own = trialIndices(ofTask: task).map { trials[$0] }
        var file = self
        file.trials = own
        file.pending = Array(own.indices)
        file.trialsPerTask = max(1, own.count)
        return file
    }

    /// The array task of each submitted trial, by its index into `trials`.
    public var taskOfTrial: [Int: Int] {
        Dictionary(uniqueKeysWithValues: pending.enumerated().map { ($0.element, $0.offset / trialsPerTask) })
    }
}

// MARK: - JSON

extension ClusterSubmission {
    /// The file's JSON text (keys sorted, one trial per line).
    public var jsonText: String {
        let header: [String: JSONValue] = [
            "format": .string(Self.format), "version": .number(Double(Self.version)), "run": .string(run),
            "executable": .string(executable), "workloads_dir": .string(workloadsDirectory),
            "trials_dir": .string(trialsDirectory), "results": .string(resultsPath),
            "figures_dir": figuresDirectory.map(JSONValue.string) ?? .null,
            "threads": .number(Double(threadsPerTrial)), "trials_per_task": .number(Double(trialsPerTask)),
            "pending": .array(pending.map { .number(Double($0)) }),
        ]
        let head = JSONValue.object(header).serialized.dropLast()
        let lines = trials.map { "  " + Self.json($0).serialized }
        return head + ",\n\"trials\": [\n" + lines.joined(separator: ",\n") + "\n]}\n"
    }

    /// Writes the file atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(jsonText, to: path)
    }

    /// Reads and validates a submission file; every error names the file and the field.
    public static func read(_ path: String) throws -> ClusterSubmission {
        try parse(JSONValue.parse(FileAccess.contents(of: path, maximumBytes: maximumBytes), source: path), source: path)
    }

    /// Validates a parsed submission; `source` names the file in errors.
    public static func parse(_ value: JSONValue, source: String) throws -> ClusterSubmission {
        var reader = try JSONObjectReader(value, source: source)
        _ = try reader.choice("format", [format])
        _ = try reader.integer("version", in: version...version)
        let run = try reader.plainName("run")
        let executable = try absolutePath(&reader, "executable")
        let workloads = try absolutePath(&reader, "workloads_dir")
        let trialsDirectory = try absolutePath(&reader, "trials_dir")
        let results = try absolutePath(&reader, "results")
        let figures: String? = reader.optionalValue("figures_dir") == .null ? nil : try absolutePath(&reader, "figures_dir")
        let threads = try reader.integer("threads", in: 1...1024)
        let perTask = try reader.integer("trials_per_task", in: 1...1_000_000_000)
        var trials: [TrialRequest] = []
        var keys: Set<TrialKey> = []
        for (index, item) in try reader.array("trials").enumerated() {
            let trial = try request(item, source: source, path: "trials[\(index)]")
            guard keys.insert(trial.key).inserted else {
                throw InputError(source: source, field: "trials[\(index)]", message: "repeats an earlier trial's key")
            }
            trials.append(trial)
        }
        var pending: [Int] = []
        for (position, item) in try reader.array("pending").enumerated() {
            let field = "pending[\(position)]"
            guard case .number(let x) = item, x == x.rounded(), x >= 0, x < Double(trials.count) else {
                throw InputError(source: source, field: field, message: "must be an index into trials (0 to \(trials.count - 1))")
            }
            guard pending.last.map({ Int(x) > $0 }) ?? true else {
                throw InputError(source: source, field: field, message: "must be greater than the index before it")
            }
            pending.append(Int(x))
        }
        try reader.finish()
        return ClusterSubmission(
            run: run, executable: executable, workloadsDirectory: workloads, trialsDirectory: trialsDirectory,
            resultsPath: results, figuresDirectory: figures, threadsPerTrial: threads, trials: trials, pending: pending,
            trialsPerTask: perTask)
    }

    /// A path field: a non-empty absolute path without NUL or newline characters.
    private static func absolutePath(_ reader: inout JSONObjectReader, _ key: String) throws -> String {
        let path = try reader.string(key)
        guard path.hasPrefix("/"), !path.contains("\0"), !path.contains("\n"), !path.contains("\r") else {
            throw InputError(
                source: reader.source, field: reader.fieldPath(key),
                message: "must be an absolute path without NUL or line breaks, found \(PlainName.escaped(path))")
        }
        return path
    }

    static func json(_ request: TrialRequest) -> JSONValue {
        var fields: [String: JSONValue] = [
            "ruleset": .string(request.key.ruleset), "submission": .string(request.key.submission),
            "workload": .string(request.key.workload), "study": .number(Double(request.key.study)),
            "trial": .number(Double(request.key.trial)), "seed": .string(String(request.seed)),
            "hyperparameters": .object(request.hyperparameters.values.mapValues { .number($0) }),
            "budget_scale": .number(request.budgetScale), "stop_at_target": .bool(request.stopAtTarget),
        ]
        if let steps = request.maximumSteps { fields["max_steps"] = .number(Double(steps)) }
        if let period = request.evalEverySteps { fields["eval_every_steps"] = .number(Double(period)) }
        return .object(fields)
    }

    static func request(_ value: JSONValue, source: String, path: String) throws -> TrialRequest {
        var reader = try JSONObjectReader(value, source: source, path: path)
        let key = TrialKey(
            submission: try reader.plainName("submission"), workload: try reader.plainName("workload"),
            ruleset: try reader.plainName("ruleset"), study: try reader.integer("study", in: 0...1_000_000),
            trial: try reader.integer("trial", in: 0...1_000_000))
        let seedText = try reader.string("seed")
        guard let seed = UInt64(seedText) else {
            throw InputError(source: source, field: reader.fieldPath("seed"), message: "must be a decimal 64-bit unsigned integer in a string, found \(PlainName.escaped(seedText))")
        }
        var parameters = try reader.object("hyperparameters")
        var values: [String: Double] = [:]
        for name in parameters.keys {
            try PlainName.validated(name, source: source, field: parameters.fieldPath(name))
            values[name] = try parameters.finiteNumber(name)
        }
        try parameters.finish()
        let request = TrialRequest(
            key: key, hyperparameters: Hyperparameters(values), seed: seed,
            budgetScale: try reader.positiveNumber("budget_scale", atMost: 1000),
            stopAtTarget: try reader.bool("stop_at_target"),
            maximumSteps: try reader.optionalInteger("max_steps", in: 1...1_000_000_000),
            evalEverySteps: try reader.optionalInteger("eval_every_steps", in: 1...1_000_000_000))
        try reader.finish()
        return request
    }
}

// MARK: - Jobs

extension ClusterSubmission {
    /// The trial jobs at `indices` of `trials`, each with its spec from `catalog`.
    public func jobs(at indices: some Sequence<Int>, catalog: SpecCatalog) throws -> [TrialJob] {
        try indices.map { TrialJob(request: trials[$0], spec: try catalog.spec(named: trials[$0].key.workload)) }
    }

    /// A suite runner for this submission's trials: one trial process at a time, with the
    /// submission's folders and threads.
    public func runner(executable: String, interruption: RunInterruption = RunInterruption(), reader: IsolatedResultsReader?) -> SuiteRunner {
        SuiteRunner(
            executable: executable, workloadsDirectory: workloadsDirectory, trialsDirectory: trialsDirectory, jobs: 1,
            threadsPerTrial: threadsPerTrial, interruption: interruption, reader: reader)
    }
}
