import Testing
@testable import Workloads

@Suite struct ExampleBatchTests {
    @Test func evenRangesCoverTheCountInOrderWithTheRemainderAtTheEnd() {
        #expect(evenRanges(count: 10, parts: 3) == [0..<3, 3..<6, 6..<10])
        #expect(evenRanges(count: 4, parts: 4) == [0..<1, 1..<2, 2..<3, 3..<4])
        #expect(evenRanges(count: 0, parts: 1) == [0..<0])
    }

    /// A workload's split comes from the shared extension: the parts are the batch's
    /// examples in order, cut where `evenRanges` cuts.
    @Test func aWorkloadSplitsItsExampleBatchesThroughTheSharedPiece() throws {
        let w = try RegressionTests.small()
        let batch = w.makeDataStream(seed: 5).nextBatch(size: 7)
        #expect(w.exampleCount(of: batch) == 7)
        let parts = w.split(batch, into: 2)
        #expect(parts == [batch.slice(0..<3), batch.slice(3..<7)])
    }
}
