import Testing

import Tensor

/// The eight-lane row reductions against plain Double loops, at every length from 0 to 40
/// (whole vectors, tails, both), and their fixed order.
@Suite struct LaneSumsTests {
    /// Seeded values spanning several binades, so that summation order could matter.
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in Float(generator.nextNormal()) * 10 }
    }

    @Test func sumsAgreeWithADoubleLoopAtEveryLength() {
        for count in 0...40 {
            let x = values(count, seed: UInt64(count))
            let reference = x.reduce(0.0) { $0 + Double($1) }
            let sum = x.withUnsafeBufferPointer { LaneSums.sum($0.baseAddress!, count) }
            #expect(abs(sum - reference) <= 1e-12 * max(1, abs(reference)), "count \(count)")
        }
    }

    @Test func dotAndCentredSquaresAgreeWithDoubleLoops() {
        for count in 0...40 {
            let x = values(count, seed: 100 + UInt64(count)), y = values(count, seed: 200 + UInt64(count))
            let dotReference = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let center = 0.75
            let squaresReference = x.reduce(0.0) { $0 + (Double($1) - center) * (Double($1) - center) }
            let (dot, squares) = x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    (LaneSums.dot(xb.baseAddress!, yb.baseAddress!, count),
                     LaneSums.sumOfSquaredDeviations(xb.baseAddress!, count, from: center))
                }
            }
            #expect(abs(dot - dotReference) <= 1e-12 * max(1, abs(dotReference)), "count \(count)")
            #expect(abs(squares - squaresReference) <= 1e-12 * max(1, squaresReference), "count \(count)")
        }
    }

    @Test func maximumIsExactAndMinusInfinityWhenEmpty() {
        for count in 1...40 {
            let x = values(count, seed: 300 + UInt64(count))
            #expect(x.withUnsafeBufferPointer { LaneSums.maximum($0.baseAddress!, count) } == x.max()!)
        }
        let empty: [Float] = [1]
        #expect(empty.withUnsafeBufferPointer { LaneSums.maximum($0.baseAddress!, 0) } == -.infinity)
        let masked: [Float] = [-.infinity, -.infinity, 3, -.infinity, -.infinity, -.infinity, -.infinity, -.infinity, -.infinity]
        #expect(masked.withUnsafeBufferPointer { LaneSums.maximum($0.baseAddress!, masked.count) } == 3)
    }

    /// The order is fixed by the length alone: lane l sums elements l, l + 8, …; then the
    /// tree (0+4, 1+5, 2+6, 3+7), pairs, the two; then the tail. Checked on values whose
    /// sum depends on the order (1e16 absorbs a 1 added to it alone).
    @Test func sumsInTheDocumentedOrder() {
        var x = [Float](repeating: 0, count: 17)
        x[0] = 1e16; x[8] = -1e16; x[1] = 1; x[16] = 1
        // Lane 0: 1e16 + (−1e16) = 0; lane 1: 1; tree: 1; tail: + 1 → 2. Left to right, 1e16 + 1
        // would lose the 1 and give 1.
        let sum = x.withUnsafeBufferPointer { LaneSums.sum($0.baseAddress!, 17) }
        #expect(sum == 2)
        var y = [Float](repeating: 0, count: 8)
        y[0] = 1e16; y[4] = 1; y[1] = -1e16
        // Tree: (y0 + y4) = 1e16 (the 1 absorbed), + (y1 + y5) = −1e16 → 0.
        let treeSum = y.withUnsafeBufferPointer { LaneSums.sum($0.baseAddress!, 8) }
        #expect(treeSum == 0)
    }
}
