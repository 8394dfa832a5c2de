import Core
import Foundation
import Results

/// What each array task asks Slurm for: `--cpus-per-task`, `--time` and `--mem`, from
/// the plan and from what earlier trials of the same workloads recorded.
public struct SlurmResources: Sendable, Equatable {
    /// CPUs per task: the BLAS threads of one trial.
    public var cpusPerTask: Int
    /// Wall-time limit per task, whole minutes.
    public var timeMinutes: Int
    /// Memory per task, MiB.
    public var memoryMegabytes: Int

    /// `--mem` when no trial of the task's workloads has recorded its peak resident memory.
    public static let defaultMemoryMegabytes = 4096
    /// The least `--mem` asked for from a recorded peak, MiB (a process's start-up alone
    /// varies by tens of MiB between nodes and builds).
    public static let minimumMemoryMegabytes = 512
    /// Margin on a recorded peak resident memory (another seed or batch can peak higher).
    public static let memoryMargin = 1.5
    /// Wall time per trial against its budget: evaluations, logging and the trial file are
    /// outside the submission-time budget (evaluation is budgeted at about 15% of it; a
    /// slower or busier node than the calibration machine needs the rest).
    public static let budgetFactor = 2.0
    /// Seconds per trial for process start-up, loading data and writing the file.
    public static let startupSeconds = 60.0

    public init(cpusPerTask: Int, timeMinutes: Int, memoryMegabytes: Int) {
        self.cpusPerTask = cpusPerTask
        self.timeMinutes = timeMinutes
        self.memoryMegabytes = memoryMegabytes
    }

    /// Seconds of submission time `request` may train on `spec`: the scaled time budget, or
    /// under a step budget the time those steps take at the spec's calibrated rate
    /// (`step_hint` steps in `max_runtime_s`).
    public static func budgetSeconds(of request: TrialRequest, on spec: WorkloadSpec) -> Double {
        guard let steps = request.maximumSteps else { return spec.maxRuntimeSeconds * request.budgetScale }
        return spec.maxRuntimeSeconds * Double(steps) / Double(max(1, spec.stepHint))
    }

    /// Resources for an array whose tasks each run up to `trialsPerTask` of `jobs`: the
    /// time of that many of the longest trial, and the largest recorded peak of their
    /// workloads (`peakResidentBytes`, by workload name) with a margin.
    public static func forArray(
        of jobs: [TrialJob], trialsPerTask: Int, threadsPerTrial: Int, peakResidentBytes: [String: Int]
    ) -> SlurmResources {
        let longest = jobs.map { budgetSeconds(of: $0.request, on: $0.spec) * budgetFactor + startupSeconds }.max() ?? startupSeconds
        let minutes = Int((longest * Double(max(1, trialsPerTask)) / 60).rounded(.up))
        let peaks = Set(jobs.map(\.spec.name)).compactMap { peakResidentBytes[$0] }.filter { $0 > 0 }
        let memory = peaks.max().map { Int((Double($0) * memoryMargin / Double(1 << 20)).rounded(.up)) } ?? defaultMemoryMegabytes
        return SlurmResources(cpusPerTask: max(1, threadsPerTrial), timeMinutes: max(1, minutes), memoryMegabytes: max(minimumMemoryMegabytes, memory))
    }

    /// The largest peak resident memory each workload's records show.
    public static func peakResidentBytes(of records: [TrialRecord]) -> [String: Int] {
        records.reduce(into: [:]) { peaks, record in
            // Imported trials (AlgoPerf's logs) record no memory: they say nothing here.
            guard let peak = record.peakResidentBytes else { return }
            peaks[record.key.workload] = max(peaks[record.key.workload] ?? 0, peak)
        }
    }
}
