import ArgumentParser
import CSystem
import Core
import Foundation
import Harness
import Results
import Tensor

/// `optbench trial`: runs one trial in this process and writes its file atomically.
/// `optbench run` starts one of these per trial; a cluster job array can call it directly.
///
/// Exit status: 0 when the trial file was written (whatever the trial's status), 64 for a
/// bad argument, 74 (`TrialExecution.cannotWriteExitStatus`) when the trial file or its
/// folder cannot be written, 1 for any other error (unknown workload, bad spec).
struct TrialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trial", abstract: "Run one trial and write its results file (what `run` and cluster jobs call).")

    @Option(help: "Folder of workload specs.") var workloadsDir = "workloads"
    @Option(help: "Workload (base or variant) name.") var workload: String
    @Option(help: "Submission name.") var submission: String
    @Option(help: "Ruleset: external or self (calibration uses calibration_tuning and calibration_reruns).") var ruleset: String
    @Option(parsing: .unconditional, help: "Study index, 0 to 1000000.") var study: Int
    @Option(parsing: .unconditional, help: "Trial index within the study, 0 to 1000000.") var trial: Int
    @Option(parsing: .unconditional, help: "Trial seed (64-bit unsigned).") var seed: UInt64
    @Option(help: "Hyperparameters as a JSON object of numbers.") var hyperparameters: String
    @Option(parsing: .unconditional, help: "Multiplier on the workload's max_runtime_s, in (0, 1000].")
    var budgetScale: Double = 1
    @Option(parsing: .unconditional, help: "OpenBLAS threads, 1 to 1024.") var threads: Int = 1
    @Option(parsing: .unconditional, help: "Evaluate every N steps instead of every eval_period_s (bit-for-bit reproducible evaluations).")
    var evalEverySteps: Int?
    @Option(parsing: .unconditional, help: "Step budget: stop after N steps instead of at the time budget.")
    var maxSteps: Int?
    @Option(help: "Earlier failed attempts, a JSON array of strings, kept in the trial file.") var history = "[]"
    @Option(help: "Trial file to write.") var output: String
    @Flag(help: "Train for the whole budget even after the target is met, with the step hint scaled by --budget-scale (calibration).") var noTargetStop = false
    @Option(help: "Die with process PID, the one that started this trial (what `run` passes), so no trial outlives a killed run.")
    var stopWithParent: Int32?

    mutating func validate() throws {
        try ArgumentCheck.plainName(workload, argument: "--workload")
        try ArgumentCheck.plainName(submission, argument: "--submission")
        try ArgumentCheck.plainName(ruleset, argument: "--ruleset")
        try ArgumentCheck.within(threads, ArgumentCheck.threads, argument: "--threads")
        try ArgumentCheck.within(study, ArgumentCheck.index, argument: "--study")
        try ArgumentCheck.within(trial, ArgumentCheck.index, argument: "--trial")
        try ArgumentCheck.positive(budgetScale, atMost: ArgumentCheck.maximumBudgetScale, argument: "--budget-scale")
        if let n = evalEverySteps { try ArgumentCheck.within(n, ArgumentCheck.steps, argument: "--eval-every-steps") }
        if let n = maxSteps { try ArgumentCheck.within(n, ArgumentCheck.steps, argument: "--max-steps") }
        try ArgumentCheck.fileToWrite(output, argument: "--output")
        do {
            _ = try Self.parseHistory(history)
            _ = try Self.parseHyperparameters(hyperparameters)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    mutating func run() throws {
        // Signals: the defaults, whatever `optbench run` set for itself (an ignored SIGTERM is
        // inherited), and a write over a file-size limit fails with an error instead of a signal.
        // `run` starts trial processes from threads that block signals, and the mask is
        // inherited: unblock every signal so that a forwarded SIGTERM ends the trial at once.
        for number in RunInterruption.signals { signal(number, SIG_DFL) }
        signal(SIGXFSZ, SIG_IGN)
        var all = sigset_t()
        sigfillset(&all)
        sigprocmask(SIG_UNBLOCK, &all, nil)
        if let parent = stopWithParent {
            // SIGKILL to run cannot be forwarded; the kernel ends this process instead. A
            // parent already gone before the request took effect: stop now.
            _ = optbench_die_with_parent(SIGKILL)
            guard getppid() == parent else {
                FileHandle.standardError.write(Data("optbench trial: the run that started this trial (pid \(parent)) has ended; stopping\n".utf8))
                Foundation.exit(1)
            }
        }
        BLAS.setThreadCount(threads)
        do {
            try SuiteRunner.makeDirectories((output as NSString).deletingLastPathComponent.isEmpty
                ? "." : (output as NSString).deletingLastPathComponent)
        } catch {
            Self.exitCannotWrite("\(error)")
        }
        let spec = try SpecCatalog(directory: workloadsDir).spec(named: workload)
        let request = TrialRequest(
            key: TrialKey(submission: submission, workload: workload, ruleset: ruleset, study: study, trial: trial),
            hyperparameters: try Self.parseHyperparameters(hyperparameters), seed: seed, budgetScale: budgetScale,
            stopAtTarget: !noTargetStop, maximumSteps: maxSteps, evalEverySteps: evalEverySteps)
        let record = try TrialExecution.run(
            request, spec: spec, provenance: ProvenanceCollector.current(), history: try Self.parseHistory(history))
        do {
            try TrialFile.write(record, provenance: ProvenanceCollector.current(), to: output)
        } catch {
            Self.exitCannotWrite("cannot write trial file \(PathError.quoted(output)): \(error)")
        }
    }

    /// Prints `message` to standard error and exits with status 74 at once: no exit
    /// handlers, so a library's cleanup of the half-written file cannot crash the process
    /// and turn a full disk into a signal.
    static func exitCannotWrite(_ message: String) -> Never {
        // One line, so that `optbench run` can quote it from the log.
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("error: \(line)\n".utf8))
        fflush(nil)
        _exit(TrialExecution.cannotWriteExitStatus)
    }

    /// Parses `--history`: a JSON array of strings.
    static func parseHistory(_ text: String) throws -> [String] {
        let value = try JSONValue.parse(Data(text.utf8), source: "--history")
        guard case .array(let items) = value else {
            throw InputError(source: "--history", field: nil, message: "must be a JSON array of strings, found \(value.typeName)")
        }
        return try items.map { item in
            guard case .string(let entry) = item else {
                throw InputError(source: "--history", field: nil, message: "must be a JSON array of strings, found an element of type \(item.typeName)")
            }
            return entry
        }
    }

    /// Parses `--hyperparameters`, naming the argument in errors.
    static func parseHyperparameters(_ text: String) throws -> Hyperparameters {
        let value = try JSONValue.parse(Data(text.utf8), source: "--hyperparameters")
        guard case .object(let fields) = value else {
            throw InputError(source: "--hyperparameters", field: nil, message: "must be a JSON object of numbers, found \(value.typeName)")
        }
        var result: [String: Double] = [:]
        for (name, field) in fields {
            try PlainName.validated(name, source: "--hyperparameters", field: nil)
            guard case .number(let x) = field else {
                throw InputError(source: "--hyperparameters", field: name, message: "must be a number, found \(field.typeName)")
            }
            result[name] = x
        }
        return Hyperparameters(result)
    }
}
