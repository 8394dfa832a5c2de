import Core
import Foundation
import Results
import Testing
@testable import Harness

/// `--cpus-per-task`, `--time` and `--mem` from the plan and recorded peaks.
@Suite struct SlurmResourcesTests {
    static func spec(_ name: String, maxRuntime: Double, stepHint: Int) -> WorkloadSpec {
        WorkloadSpec(
            name: name, settings: [:], defaultBatchSize: 8, lossType: .meanSquaredError, metric: "mse", direction: .minimize,
            validationTarget: 0.1, testTarget: 0.1, maxRuntimeSeconds: maxRuntime, evalPeriodSeconds: 1, stepHint: stepHint,
            provisional: false)
    }

    static func job(_ spec: WorkloadSpec, scale: Double, steps: Int? = nil) -> TrialJob {
        TrialJob(
            request: TrialRequest(
                key: TrialKey(submission: "adamw", workload: spec.name, ruleset: "external", study: 0, trial: 0),
                hyperparameters: Hyperparameters(), seed: 1, budgetScale: scale, maximumSteps: steps),
            spec: spec)
    }

    @Test func timeBudgetAndStepBudget() {
        let spec = Self.spec("a", maxRuntime: 30, stepHint: 1000)
        #expect(SlurmResources.budgetSeconds(of: Self.job(spec, scale: 0.5).request, on: spec) == 15)
        // 2,000 steps at the calibrated 1,000 steps per 30 s, whatever the budget scale.
        #expect(SlurmResources.budgetSeconds(of: Self.job(spec, scale: 0.5, steps: 2000).request, on: spec) == 60)
    }

    @Test func timeCoversTheLongestTrialTimesTrialsPerTask() {
        let short = Self.spec("a", maxRuntime: 30, stepHint: 1000)
        let long = Self.spec("b", maxRuntime: 600, stepHint: 1000)
        // (15 s × 2 + 60 s) × 2 trials = 180 s = 3 minutes.
        let one = SlurmResources.forArray(of: [Self.job(short, scale: 0.5)], trialsPerTask: 2, threadsPerTrial: 4, peakResidentBytes: [:])
        #expect(one == SlurmResources(cpusPerTask: 4, timeMinutes: 3, memoryMegabytes: SlurmResources.defaultMemoryMegabytes))
        // (600 s × 2 + 60 s) × 1 = 1,260 s = 21 minutes.
        let both = SlurmResources.forArray(
            of: [Self.job(short, scale: 1), Self.job(long, scale: 1)], trialsPerTask: 1, threadsPerTrial: 1, peakResidentBytes: [:])
        #expect(both.timeMinutes == 21)
        #expect(SlurmResources.forArray(of: [], trialsPerTask: 1, threadsPerTrial: 1, peakResidentBytes: [:]).timeMinutes == 1)
    }

    @Test func memoryFromTheLargestRecordedPeakOfThePlannedWorkloads() {
        let a = Self.spec("a", maxRuntime: 1, stepHint: 10)
        let b = Self.spec("b", maxRuntime: 1, stepHint: 10)
        let peaks = ["a": 2048 << 20, "b": 100 << 20, "unplanned": 64 << 30]
        #expect(SlurmResources.forArray(of: [Self.job(a, scale: 1), Self.job(b, scale: 1)], trialsPerTask: 1, threadsPerTrial: 1, peakResidentBytes: peaks)
            .memoryMegabytes == 3072)
        // A small peak gets the floor; no peak at all the default.
        #expect(SlurmResources.forArray(of: [Self.job(b, scale: 1)], trialsPerTask: 1, threadsPerTrial: 1, peakResidentBytes: peaks)
            .memoryMegabytes == SlurmResources.minimumMemoryMegabytes)
        #expect(SlurmResources.forArray(of: [Self.job(b, scale: 1)], trialsPerTask: 1, threadsPerTrial: 1, peakResidentBytes: ["b": 0])
            .memoryMegabytes == SlurmResources.defaultMemoryMegabytes)
    }

    @Test func peaksPerWorkloadFromRecords() {
        let a = Self.spec("a", maxRuntime: 1, stepHint: 10)
        var first = TrialExecution.crashedRecord(for: Self.job(a, scale: 1).request, spec: a, message: "")
        first.peakResidentBytes = 5
        var second = first
        second.peakResidentBytes = 9
        #expect(SlurmResources.peakResidentBytes(of: [first, second]) == ["a": 9])
    }
}
