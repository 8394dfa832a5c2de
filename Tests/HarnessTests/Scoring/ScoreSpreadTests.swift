import Core
import Results
import Testing
@testable import Harness

@Suite struct ScoreSpreadTests {
    typealias F = ScoringFixtures
    let one = F.workload("one")
    let two = F.workload("two")

    /// A run where a, b, c reach `one` and `two` at the given times.
    func run(_ times: [String: (Double?, Double?)]) -> Scoreboard {
        let trials = times.flatMap { name, pair in [F.reaching(name, one, at: pair.0), F.reaching(name, two, at: pair.1)] }
        return Scoreboard(trials: trials, ruleset: "external", measure: .time, bootstrapSamples: 10)
    }

    @Test func scoresRanksAndLargestDifferenceOfHandBuiltRuns() throws {
        // Run 1: a fastest on both (score 1); b twice as slow on one (τ = 2), tied on two;
        // c misses one and is twice as slow on two.
        let first = run(["a": (1, 1), "b": (2, 1), "c": (nil, 2)])
        // Run 2: b now ties a on one; c unchanged.
        let second = run(["a": (1, 1), "b": (1, 1), "c": (nil, 2)])
        let spread = try ScoreSpread(runs: [first, second], labels: ["r1", "r2"])
        // Scores: a 1 in both; b (1 + 2/3)/2 = 5/6 then 1; c (0 + 2/3)/2 = 1/3 in both.
        #expect(spread.submissions == ["a", "b", "c"])
        #expect(abs(spread.scores[1][0] - 5.0 / 6) < 1e-12 && spread.scores[1][1] == 1)
        #expect(abs(spread.scores[2][0] - 1.0 / 3) < 1e-12)
        // Equal scores share the better rank: a and b are both first in run 2.
        #expect(spread.ranks == [[1, 1], [2, 1], [3, 3]])
        #expect(!spread.ranksAgree)
        #expect(spread.largestDifference.submission == "b")
        #expect(abs(spread.largestDifference.difference - 1.0 / 6) < 1e-12)
        #expect(spread.difference(ofSubmissionAt: 0) == 0)
        let table = spread.formattedTable()
        #expect(table.contains("b" + String(repeating: " ", count: 12) + "0.833   1.000" + String(repeating: " ", count: 8) + "0.167  2 1"))
        #expect(table.hasSuffix("largest |Δscore| 0.167 (b); rank order differs between runs"))
    }

    @Test func identicalRunsAgree() throws {
        let board = run(["a": (1, 2), "b": (2, 1)])
        let spread = try ScoreSpread(runs: [board, board, board], labels: ["x", "y", "z"])
        #expect(spread.ranksAgree)
        #expect(spread.largestDifference.difference == 0)
        #expect(spread.formattedTable().contains("rank order the same in every run"))
    }

    @Test func runsOfDifferentProfilesAreRefusedByName() {
        let first = run(["a": (1, 1), "b": (2, 1)])
        let other = run(["a": (1, 1), "d": (2, 1)])
        #expect(throws: InputError.self) { try ScoreSpread(runs: [first], labels: ["only"]) }
        do {
            _ = try ScoreSpread(runs: [first, other], labels: ["first.h5", "other.h5"])
            Issue.record("a run with other submissions was accepted")
        } catch let error as InputError {
            #expect(error.source == "other.h5" && error.message.contains("differing: b, d"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        let steps = Scoreboard(trials: [F.reaching("a", one, at: 1), F.reaching("b", one, at: 1)], ruleset: "external", measure: .steps)
        #expect(throws: InputError.self) { try ScoreSpread(runs: [first, steps], labels: ["t", "s"]) }
    }
}
