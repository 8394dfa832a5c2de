import Core
import Results
import Testing
@testable import Harness

/// The bilevel track's median-and-band curves, on hand-built trials.
@Suite struct BandFigureTests {
    @Test func curvesHoldTheirLastEvaluationAndStopWhereTheRunStopped() {
        let curve: [(Double, Double)] = [(0, 5), (2, 3), (4, 1)]
        #expect(BandFigure.value(of: curve, at: 0) == 5)
        #expect(BandFigure.value(of: curve, at: 3) == 3)
        #expect(BandFigure.value(of: curve, at: 4) == 1)
        #expect(BandFigure.value(of: curve, at: 4.5) == nil)
    }

    @Test func oneBlockPerSubmissionWithMedianAndBandOverStudies() throws {
        let w = ScoringFixtures.workload("bilevel_hyperreg", target: 0.5)
        // Three seeds (studies) of "a" with metrics 3, 2 and 1 at t = 1; the oracle-call axis
        // counts 30 gradient evaluations per row (ScoringFixtures).
        let trials = [3.0, 2, 1].enumerated().map { study, metric in
            ScoringFixtures.trial("a", w, study: study, evals: [(time: 0.5, metric: 4), (time: 1, metric: metric)])
        } + [ScoringFixtures.trial("b", w, evals: [(time: 2, metric: 0.4)])]
        let time = try #require(BandFigure.make(workload: "bilevel_hyperreg", trials: trials, axis: .time))
        let text = try #require(time.dataFiles["band_time_bilevel_hyperreg.dat"])
        let blocks = text.components(separatedBy: "\n\n\n").filter { !$0.isEmpty }
        #expect(blocks.count == 2)
        // Last row of "a" (x = 1): median 2, 20% quantile 1.4, 80% quantile 2.6.
        let lastRow = try #require(blocks[0].split(separator: "\n").last).split(separator: " ").compactMap { Double($0) }
        #expect(lastRow.count == 4)
        #expect(lastRow[0] == 1 && lastRow[1] == 2 && abs(lastRow[2] - 1.4) < 1e-9 && abs(lastRow[3] - 2.6) < 1e-9)
        let calls = try #require(BandFigure.make(workload: "bilevel_hyperreg", trials: trials, axis: .calls))
        let callsText = try #require(calls.dataFiles["band_calls_bilevel_hyperreg.dat"])
        #expect(callsText.contains("\n60 2 1.4 2.6"))
        #expect(calls.body.contains("oracle calls"))
    }
}
