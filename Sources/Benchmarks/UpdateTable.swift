import Core
import Foundation
import Harness
import Submissions

/// `optbench perf`'s optimizer-update table: each submission's update on 10M parameters
/// against the memory-copy bandwidth measured around the table.
public enum UpdateTable {
    /// The rows when no submissions are named: the fused AdamW update, the one-buffer
    /// Lion and the factored Adafactor.
    public static let defaultSubmissions: [any Submission.Type] = [AdamW.self, Lion.self, Adafactor.self]

    /// Parameters each update is timed on.
    static let parameterCount = 10_000_000

    /// The registered submissions called `names`, in that order; an unknown name is an
    /// error naming `argument` and the name.
    public static func submissions(named names: [String], argument: String = "--updates") throws -> [any Submission.Type] {
        try names.map { name in
            guard let found = SubmissionRegistry.all.first(where: { $0.name == name }) else {
                throw InputError(source: argument, field: nil, message: "no registered submission named '\(name)' (see `optbench list`)")
            }
            return found
        }
    }

    /// Measures every submission's update between two copy-bandwidth measurements.
    static func measure(_ submissions: [any Submission.Type], seconds: Double) throws -> ([UpdateThroughput.Measurement], Bracket) {
        try Bracket.around(by: { MachineLimits.copyBandwidth(megabytes: 256, seconds: seconds) }) {
            try submissions.map { submission in
                try UpdateThroughput.measure(submission, parameterCount: parameterCount, minimumSeconds: seconds)
            }
        }
    }

    /// The table's lines, each row's bandwidth as a fraction of the higher copy bandwidth.
    static func lines(_ updates: [UpdateThroughput.Measurement], bandwidth: Bracket) -> [String] {
        [
            String(format: "memory copy before and after the update table: %.1f and %.1f GB/s (ratios use the higher)", bandwidth.before, bandwidth.after),
            "optimizer update, 10M parameters (ideal traffic: θ, g, θ′ and 2 × state)   GB/s   / copy bandwidth",
        ] + updates.map { measured in
            "  " + measured.submission.leftAligned(12) + String(
                format: "%8.2f ms/step %47.1f   %5.0f%%", measured.secondsPerStep * 1e3,
                measured.gigabytesPerSecond, 100 * measured.gigabytesPerSecond / bandwidth.higher)
        }
    }
}
