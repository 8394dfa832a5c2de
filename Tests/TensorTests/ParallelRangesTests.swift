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

    /// Inside a part, OpenMP does not nest: the inner region gets a team of one thread,
    /// which must still run every one of its parts, exactly once.
    @Test func aNestedLoopRunsEveryPartOnceOnItsSmallerTeam() {
        let counts = Mutex<[Int]>(Array(repeating: 0, count: 4 * 1000))
        ParallelRanges.forEach(4, parts: 4) { outer in
            for block in outer {
                ParallelRanges.forEach(1000, parts: 7) { inner in
                    counts.withLock { counts in for i in inner { counts[block * 1000 + i] += 1 } }
                }
            }
        }
        #expect(counts.withLock { $0 } == Array(repeating: 1, count: 4 * 1000))
    }

    @Test func smallLoopsStayOnOneThread() {
        #expect(ParallelRanges.parts(forElements: 100) == 1)
        #expect(ParallelRanges.parts(forElements: 1 << 20) == max(1, BLAS.threadCount))
    }
}
