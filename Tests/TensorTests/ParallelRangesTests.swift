import Synchronization
import Testing

import Tensor

/// `ParallelRanges` hands out disjoint ranges that cover the index space exactly once.
@Suite struct ParallelRangesTests {
    /// The ranges `forEach` passes to its body, sorted by their start.
    private func ranges(_ count: Int, parts: Int, alignment: Int = 1) -> [Range<Int>] {
        let seen = Mutex<[Range<Int>]>([])
        ParallelRanges.forEach(count, parts: parts, alignment: alignment) { range in
            seen.withLock { $0.append(range) }
        }
        return seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
    }

    @Test(arguments: [(0, 3), (1, 4), (5, 1), (10, 3), (11, 2), (1000, 7)])
    func rangesCoverEveryIndexOnce(_ count: Int, _ parts: Int) {
        let found = ranges(count, parts: parts)
        #expect(found.count == max(1, min(parts, count)))
        #expect(found.first?.lowerBound == 0)
        #expect(found.last?.upperBound == count)
        for (a, b) in zip(found, found.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
    }

    @Test func alignedRangesStartAtMultiplesOfTheAlignment() {
        let found = ranges(100, parts: 3, alignment: 16)
        #expect(found.map(\.lowerBound) == [0, 48, 96])
        #expect(found.map(\.upperBound) == [48, 96, 100])
    }

    @Test func smallLoopsStayOnOneThread() {
        #expect(ParallelRanges.parts(forElements: 100) == 1)
        #expect(ParallelRanges.parts(forElements: 1 << 20) == max(1, BLAS.threadCount))
    }
}
