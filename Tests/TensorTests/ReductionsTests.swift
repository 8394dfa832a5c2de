import Tensor
import Testing

@Suite struct ReductionsTests {
    let matrix = Tensor(shape: [2, 3], scalars: [1, -2, 3, 4, 5, -6])

    @Test func wholeTensorTotals() {
        #expect(matrix.sum() == 5)
        #expect(matrix.mean() == 5.0 / 6)
        #expect(matrix.sumOfSquares() == 1 + 4 + 9 + 16 + 25 + 36)
        #expect(matrix.norm() == Double(91).squareRoot())
        #expect(Tensor(shape: [0]).sum() == 0)
        #expect(Tensor(shape: [0]).sumOfSquares() == 0)
        #expect(Tensor(shape: [2], scalars: [3, 4]).norm() == 5)
    }

    @Test func sumsAccumulateInDouble() {
        // 2²⁴ + 1 + 1 + … : in Float the ones would be lost (2²⁴ + 1 rounds to 2²⁴).
        var scalars = [Float](repeating: 1, count: 1001)
        scalars[0] = 16_777_216
        let t = Tensor(shape: [1001], scalars: scalars)
        #expect(t.sum() == 16_777_216 + 1000)
        #expect(t.rowSums().scalars == [Float(16_777_216 + 1000)])
        #expect(Tensor(shape: [1001, 1], scalars: scalars).columnSums().scalars == [Float(16_777_216 + 1000)])
    }

    @Test func meanAndVarianceInOnePass() {
        let (mean, variance) = Tensor(shape: [4], scalars: [2, 4, 4, 6]).meanAndVariance()
        #expect(mean == 4)
        #expect(variance == 2)  // ((−2)² + 0 + 0 + 2²) / 4
        // A large offset does not destroy a small spread (catastrophic cancellation check).
        let offset = Tensor(shape: [4], scalars: [100_002, 100_004, 100_004, 100_006]).meanAndVariance()
        #expect(offset.mean == 100_004)
        #expect(abs(offset.variance - 2) < 1e-9)
    }

    @Test func extrema() {
        #expect(matrix.maximum() == 5)
        #expect(matrix.minimum() == -6)
        #expect(matrix.maximumMagnitude() == 6)
        let withNaN = Tensor(shape: [3], scalars: [1, .nan, 3])
        #expect(withNaN.maximum().isNaN)
        #expect(withNaN.minimum().isNaN)
        #expect(withNaN.maximumMagnitude().isNaN)
        #expect(Tensor(shape: [0]).maximumMagnitude() == 0)
    }

    @Test func finiteness() {
        #expect(matrix.isFinite)
        #expect(!Tensor(shape: [2], scalars: [1, .infinity]).isFinite)
        #expect(!Tensor(shape: [2], scalars: [.nan, 1]).isFinite)
        #expect(Tensor(shape: [0]).isFinite)
    }

    @Test func argmaxPerRow() {
        let logits = Tensor(shape: [4, 3], scalars: [
            0.1, 0.7, 0.2,
            5, 5, 1,  // tie: first index
            -3, -2, -1,
            1, .nan, 2,  // NaN counts as largest
        ])
        #expect(logits.argmaxRows() == [1, 0, 2, 1])
        // Leading axes are flattened: [2, 2, 3] has four rows.
        #expect(logits.reshaped(to: [2, 2, 3]).argmaxRows() == [1, 0, 2, 1])
        #expect(Tensor(shape: [3], scalars: [1, 9, 2]).argmaxRows() == [1])
    }

    @Test func rowAndColumnSums() {
        let rows = matrix.rowSums()
        #expect(rows.shape == [2])
        #expect(rows.scalars == [2, 3])
        let columns = matrix.columnSums()
        #expect(columns.shape == [3])
        #expect(columns.scalars == [5, 3, -3])

        // Rank 3: rows over the last axis, columns over everything before it.
        let cube = Tensor(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(cube.rowSums().shape == [2, 2])
        #expect(cube.rowSums().scalars == [3, 7, 11, 15])
        #expect(cube.columnSums().scalars == [16, 20])
        #expect(Tensor(shape: [3], scalars: [1, 2, 3]).rowSums().shape == [1])
    }

    @Test func accumulatedColumnSumsAddToTheDestination() {
        var destination: [Float] = [10, 20, 30]
        matrix.withUnsafeBufferPointer { m in
            destination.withUnsafeMutableBufferPointer { d in
                Tensor.accumulateColumnSums(m, rows: 2, columns: 3, into: d)
            }
        }
        #expect(destination == [15, 23, 27])
        // Only the first `rows` rows are read.
        matrix.withUnsafeBufferPointer { m in
            destination.withUnsafeMutableBufferPointer { d in
                Tensor.accumulateColumnSums(m, rows: 1, columns: 3, into: d)
            }
        }
        #expect(destination == [16, 21, 30])
    }
}
