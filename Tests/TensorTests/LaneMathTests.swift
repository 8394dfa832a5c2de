import Foundation
import Testing

import Tensor

/// The lane-wise exp and tanh against libm in Double, on dense grids and at the edges.
@Suite struct LaneMathTests {
    /// Evaluates `f` on `values`, eight at a time.
    private func lanes(_ values: [Float], _ f: (LaneMath.Lanes) -> LaneMath.Lanes) -> [Float] {
        var result = [Float](repeating: .nan, count: values.count)
        values.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                LaneMath.map(x.baseAddress!, y.baseAddress!, count: values.count, f)
            }
        }
        return result
    }

    @Test func expHasSmallRelativeErrorOverTheWholeRange() {
        let grid = (-87_000...88_300).map { Float($0) / 1000 }
        let worst = zip(grid, lanes(grid, LaneMath.exp)).map { x, y in
            abs(Double(y) - Foundation.exp(Double(x))) / Foundation.exp(Double(x))
        }.max() ?? .infinity
        #expect(worst < 3e-7)
    }

    @Test func expIsExactAtZeroAndClampsOutsideItsRange() {
        let y = lanes([0, 1, -200, 200, -.infinity, .infinity], LaneMath.exp)
        #expect(y[0] == 1)
        #expect(abs(Double(y[1]) - M_E) < 3e-7 * M_E)
        #expect(y[2] > 0 && y[2] < 1.3e-38 && y[4] == y[2])
        #expect(y[3].isFinite && y[3] > 2e38 && y[5] == y[3])
    }

    @Test func tanhHasSmallAbsoluteErrorAndIsOdd() {
        let grid = (-30_000...30_000).map { Float($0) / 1000 }
        let values = lanes(grid, LaneMath.tanh)
        let worst = zip(grid, values).map { x, y in abs(Double(y) - Foundation.tanh(Double(x))) }.max() ?? .infinity
        #expect(worst < 3e-7)
        let negated = lanes(grid.map { -$0 }, LaneMath.tanh)
        #expect(zip(values, negated).allSatisfy { $0 == -$1 })
        #expect(lanes([0, 1e6, -1e6], LaneMath.tanh) == [0, 1, -1])
    }

    /// A value gives the same bits in a full vector and in the zero-padded tail.
    @Test func theTailMatchesTheVectorPath() {
        let values: [Float] = (0..<13).map { Float($0) * 0.37 - 2 }
        let whole = lanes(values, LaneMath.tanh)
        let shifted = lanes(Array(values[5...]), LaneMath.tanh)
        #expect(whole[5...].map(\.bitPattern) == shifted.map(\.bitPattern))
    }
}
