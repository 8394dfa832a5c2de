import ArgumentParser
import Core
import Foundation
import Harness
import Results
import Submissions
import Tensor
import Workloads

/// `optbench calibrate`: sets workload targets and budgets from tuned baselines by a fixed,
/// published procedure (`CalibrationProcedure`), keeping every trial under
/// `results/calibration/` and, with `--write`, writing the numbers back into the specs.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calibrate validation/test targets, max_runtime_s, eval_period_s and step_hint from tuned baselines.")

    @Option(help: "Comma-separated workloads or variants (default: every implemented workload with its variants).")
    var workloads: String?
    @Option(help: "Comma-separated baseline submissions.") var baselines = "adamw,nadamw,nesterov,heavy_ball"
    @Option(parsing: .unconditional, help: "Quasi-random tuning trials per baseline and workload.") var trials = 8
    @Option(parsing: .unconditional, help: "Reruns of the best configuration with fresh seeds.") var seeds = 5
    @Option(parsing: .unconditional, help: "Multiplier on max_runtime_s (and step_hint) for the search's budget.") var budgetScale = 2.0
    @Option(parsing: .unconditional, help: "Trial processes at once.") var jobs = min(ProcessInfo.processInfo.activeProcessorCount, ArgumentCheck.threads.upperBound)
    @Option(parsing: .unconditional, help: "Suite seed.") var seed = 0
    @Option(help: "Folder of workload specs.") var workloadsDir = "workloads"
    @Option(help: "Folder for results (trials go to <dir>/calibration/).") var resultsDir = "results"
    @Flag(help: "Write the calibrated numbers back into the spec files.") var write = false

    mutating func validate() throws {
        try ArgumentCheck.within(trials, 1...10_000, argument: "--trials")
        try ArgumentCheck.within(seeds, 1...1_000, argument: "--seeds")
        try ArgumentCheck.folderToWrite(resultsDir, argument: "--results-dir")
        try ArgumentCheck.within(jobs, ArgumentCheck.threads, argument: "--jobs")
        try ArgumentCheck.within(seed, ArgumentCheck.suiteSeed, argument: "--seed")
        try ArgumentCheck.positive(budgetScale, atMost: ArgumentCheck.maximumBudgetScale, argument: "--budget-scale")
        _ = try ArgumentCheck.nameList(workloads, argument: "--workloads")
        _ = try ArgumentCheck.nameList(baselines, argument: "--baselines")
    }

    mutating func run() throws {
        let catalog = try SpecCatalog(directory: workloadsDir)
        let specs: [WorkloadSpec] = try RunCommand.list(workloads).map { try $0.map(catalog.spec(named:)) }
            ?? catalog.baseSpecs.filter { WorkloadRegistry.names.contains($0.name) }.flatMap { [$0] + $0.variants }
        let baselineTypes = try RunCommand.list(baselines)?.map(SubmissionRegistry.submission(named:)) ?? []
        let directory = "\(resultsDir)/calibration"
        let interruption = RunInterruption()
        interruption.install()
        let runner = SuiteRunner(
            executable: ThisExecutable.path, workloadsDirectory: workloadsDir, trialsDirectory: "\(directory)/trials",
            jobs: jobs, threadsPerTrial: 1, interruption: interruption, reader: ThisExecutable.resultsReader)

        // 1. Tuning: quasi-random search per baseline, training for the whole budget (the
        //    step hint scaled with it: `TrialRequest.budget(on:)`).
        var tuning: [TrialJob] = []
        for spec in specs {
            for baseline in baselineTypes {
                let points = TrialPlan.draw(
                    baseline.searchSpace, count: trials,
                    seed: StableHash.seed("calibrate", .integer(seed), .text(spec.name), .text(baseline.name)))
                for (index, point) in points.enumerated() {
                    tuning.append(job(spec, baseline.name, "calibration_tuning", study: 0, trial: index,
                                      hyperparameters: baseline.defaultHyperparameters.merging(point)))
                }
            }
        }
        print("calibration: tuning \(baselineTypes.count) baselines × \(trials) trials on \(specs.count) workloads (budget × \(budgetScale))")
        let tuned = try runPhase(runner, tuning)

        // 2. Reruns of each workload's best configuration.
        var reruns: [TrialJob] = []
        var best: [String: TrialRecord] = [:]
        for spec in specs {
            guard let winner = CalibrationProcedure.bestTrial(tuned.filter { $0.key.workload == spec.name }) else {
                print("warning: \(spec.name): no tuning trial produced a finite evaluation; not calibrated")
                continue
            }
            best[spec.name] = winner
            for k in 0..<seeds {
                reruns.append(job(spec, winner.key.submission, "calibration_reruns", study: k, trial: 0, hyperparameters: winner.hyperparameters))
            }
        }
        print("calibration: \(seeds) reruns of the best configuration per workload")
        let rerun = try runPhase(runner, reruns)

        // 3. Numbers.
        var numbers: [String: CalibrationProcedure.Numbers] = [:]
        print("workload".leftAligned(30) + "best baseline".leftAligned(15) + "validation".leftAligned(12) + "test".leftAligned(12)
              + "max_runtime_s".leftAligned(14) + "eval_period_s".leftAligned(14) + "step_hint".leftAligned(10) + "reached")
        for spec in specs {
            guard let winner = best[spec.name] else { continue }
            guard let found = CalibrationProcedure.numbers(fromReruns: rerun.filter { $0.key.workload == spec.name }) else {
                print("warning: \(spec.name): the median rerun did not reach the reruns' median best; not calibrated")
                continue
            }
            numbers[spec.name] = found
            print(spec.name.leftAligned(30) + winner.key.submission.leftAligned(15)
                  + String(format: "%-12.5g%-12.5g%-14.3g%-14.3g%-10d%d/%d", found.validationTarget, found.testTarget,
                           found.maxRuntimeSeconds, found.evalPeriodSeconds, found.stepHint, found.reached, found.reruns))
        }
        let merged = "\(directory)/calibration.h5"
        let current = Set((tuning + reruns).map { runner.trialPath($0.request.key) })
        let files = ResultsFile.trialFiles(under: runner.trialsDirectory)
        let superseded = SupersededTrials.among(
            files, trialsDirectory: runner.trialsDirectory, workloads: Set(specs.map(\.name)), current: current)
        for file in superseded {
            try FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: (file as NSString).deletingPathExtension + ".log")
        }
        if !superseded.isEmpty {
            print("calibration: removed \(superseded.count) trial files of earlier calibrations of these workloads")
        }
        let removed = Set(superseded)
        let kept = files.filter { !removed.contains($0) }
        // The calibration file holds every other workload's latest calibration, whose
        // trial files a fresh clone lacks: those trials stay.
        let report = try ResultsFile.merge(
            kept, replacing: Set(specs.map(\.name)), keepingTheRestOf: merged, provenance: ProvenanceCollector.current())
        for skipped in report.skipped { print("warning: not merged: \(skipped.path): \(skipped.reason)") }
        print("calibration results: \(merged) (\(report.mergedTrials) trials)")
        guard write else {
            print("(dry run: add --write to store these numbers in \(workloadsDir)/*.json)")
            return
        }
        try writeBack(numbers, best: best, catalog: catalog, resultsPath: merged)
    }

    private func job(_ spec: WorkloadSpec, _ submission: String, _ ruleset: String, study: Int, trial: Int, hyperparameters: Hyperparameters) -> TrialJob {
        let key = TrialKey(submission: submission, workload: spec.name, ruleset: ruleset, study: study, trial: trial)
        let trialSeed = StableHash.seed(.text(ruleset), .integer(seed), .text(spec.name), .text(submission), .integer(study), .integer(trial))
        return TrialJob(
            request: TrialRequest(key: key, hyperparameters: hyperparameters, seed: trialSeed, budgetScale: budgetScale, stopAtTarget: false),
            spec: spec)
    }

    private func runPhase(_ runner: SuiteRunner, _ jobs: [TrialJob]) throws -> [TrialRecord] {
        let progress = ProgressReporter(total: jobs.count, live: isatty(STDOUT_FILENO) == 1)
        let summary = try runner.run(jobs, progress: progress)
        progress.close()
        if let signal = summary.interruptedBy { RunCommand.exitInterrupted(by: signal) }
        for failure in summary.failures { print("warning: \(failure)") }
        return ThisExecutable.resultsReader.read(summary.trialFiles).compactMap { try? $0.get().trials.first }
    }

    private func writeBack(
        _ numbers: [String: CalibrationProcedure.Numbers], best: [String: TrialRecord], catalog: SpecCatalog, resultsPath: String
    ) throws {
        let provenance = ProvenanceCollector.current()
        var records: [String: JSONValue] = [:]
        for (name, winner) in best {
            records[name] = .object([
                "procedure": .string(
                    "AlgoPerf-style: quasi-random search of each baseline over budget_scale x max_runtime_s with step_hint x budget_scale, "
                    + "best configuration rerun with fresh seeds; "
                    + "validation target = median best validation metric of the reruns; test target = worst test metric among "
                    + "reruns reaching it; max_runtime_s = 4/3 x median time to reach it; eval_period_s = evaluation cost / 0.15; "
                    + "step_hint = steps per second x max_runtime_s"),
                "baselines": .array((RunCommand.list(baselines) ?? []).map { .string($0) }),
                "tuning_trials": .number(Double(trials)),
                "reruns": .number(Double(seeds)),
                "budget_scale": .number(budgetScale),
                "suite_seed": .number(Double(seed)),
                "best_submission": .string(winner.key.submission),
                "best_hyperparameters": .object(winner.hyperparameters.values.mapValues { .number($0) }),
                "date": .string(provenance.created),
                "machine": .object([
                    "cpu": .string(provenance.cpu), "cores": .number(Double(provenance.cores)),
                    "blas": .string(provenance.blas), "blas_threads": .number(1), "git_commit": .string(provenance.gitCommit),
                ]),
                "results": .string(resultsPath),
            ])
        }
        for base in catalog.baseSpecs where ([base] + base.variants).contains(where: { numbers[$0.name] != nil }) {
            try SpecCalibrationWriter.apply(numbers, records: records, toSpecAt: base.source)
            print("wrote \(base.source)")
        }
    }
}
