import Core
import Foundation

/// How far repeated runs of one profile disagree: each submission's score in every run,
/// the largest difference between any two runs, and the ranks each run gives.
///
/// A benchmark's verdict is only as good as its rerun: the same commit on the same
/// machine should give the same rank order and scores within a few hundredths. This is
/// what `optbench compare` prints and what the README's stability table shows.
public struct ScoreSpread: Sendable, Equatable {
    /// Ruleset and measure the runs were scored on (equal in every run).
    public let ruleset: String
    public let measure: TargetMeasure
    /// Submissions, best first by their mean score over the runs (then by name).
    public let submissions: [String]
    /// `scores[s][r]`: submission `s`'s score in run `r`.
    public let scores: [[Double]]
    /// `ranks[s][r]`: 1 for the best score of run `r`; equal scores share the better rank.
    public let ranks: [[Int]]

    /// The spread of `boards`, one per run. Every run must score the same ruleset and
    /// measure, and the same submissions: a run that lacks one is not a rerun of the others.
    public init(runs boards: [Scoreboard], labels: [String]) throws {
        guard boards.count >= 2, labels.count == boards.count else {
            throw InputError(source: "compare", field: nil, message: "needs at least two runs, one label each; got \(boards.count)")
        }
        let first = boards[0]
        var byRun: [[String: Double]] = []
        for (board, label) in zip(boards, labels) {
            guard board.ruleset == first.ruleset, board.measure == first.measure else {
                throw InputError(source: label, field: nil, message: "is scored on ruleset \(board.ruleset), \(board.measure.rawValue); expected \(first.ruleset), \(first.measure.rawValue) like \(labels[0])")
            }
            guard Set(board.submissions) == Set(first.submissions) else {
                let differing = Set(board.submissions).symmetricDifference(first.submissions).sorted()
                throw InputError(source: label, field: nil, message: "has other submissions than \(labels[0]) (differing: \(differing.joined(separator: ", "))); compare runs of one profile")
            }
            byRun.append(Dictionary(uniqueKeysWithValues: zip(board.submissions, board.scores)))
        }
        let mean = Dictionary(uniqueKeysWithValues: first.submissions.map { name in
            (name, byRun.map { $0[name] ?? 0 }.reduce(0, +) / Double(byRun.count))
        })
        ruleset = first.ruleset
        measure = first.measure
        submissions = mean.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        scores = submissions.map { name in byRun.map { $0[name] ?? 0 } }
        let runRanks = byRun.map { run in run.mapValues { score in 1 + run.values.filter { $0 > score }.count } }
        ranks = submissions.map { name in runRanks.map { $0[name] ?? 0 } }
    }

    /// The largest difference between two runs' scores of submission `s` (max − min).
    public func difference(ofSubmissionAt s: Int) -> Double {
        (scores[s].max() ?? 0) - (scores[s].min() ?? 0)
    }

    /// The submission whose score moved most between two runs, and by how much.
    public var largestDifference: (submission: String, difference: Double) {
        let s = submissions.indices.max { difference(ofSubmissionAt: $0) < difference(ofSubmissionAt: $1) } ?? 0
        return (submissions[s], difference(ofSubmissionAt: s))
    }

    /// Whether every run ranks every submission the same.
    public var ranksAgree: Bool { ranks.allSatisfy { Set($0).count == 1 } }

    /// A fixed-width table: a row per submission with its score in each run, its largest
    /// difference and its ranks, then a line with the largest difference and the rank verdict.
    public func formattedTable() -> String {
        let runs = scores.first?.count ?? 0
        let nameWidth = max(10, submissions.map(\.count).max() ?? 0)
        var header = "submission".leftAligned(nameWidth)
        for r in 0..<runs { header += "  " + "run \(r + 1)".rightAligned(6) }
        header += "  " + "largest |Δ|".rightAligned(11) + "  ranks"
        var lines = ["ruleset \(ruleset) · \(measure.rawValue) to target · \(runs) runs", header]
        for s in submissions.indices {
            var line = submissions[s].leftAligned(nameWidth)
            for score in scores[s] { line += "  " + String(format: "%.3f", score).rightAligned(6) }
            line += "  " + String(format: "%.3f", difference(ofSubmissionAt: s)).rightAligned(11)
            line += "  " + ranks[s].map(String.init).joined(separator: " ")
            lines.append(line)
        }
        let (name, difference) = largestDifference
        lines.append("largest |Δscore| " + String(format: "%.3f", difference) + " (\(name)); rank order "
                     + (ranksAgree ? "the same in every run" : "differs between runs"))
        return lines.joined(separator: "\n")
    }
}
