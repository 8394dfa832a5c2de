import Testing

@testable import Tensor

/// The register tile's reduction against its scalar definition.
@Suite struct RegisterTileTests {
    @Test func accumulateAddsEveryStepToEveryRowAndLane() {
        var rng = RandomGenerator(seed: 41)
        let count = 37, vStride = 24
        let x = (0..<400).map { _ in rng.nextNormal() }
        let v = (0..<(count * vStride)).map { _ in rng.nextNormal() }
        let rowOffsets = (0..<count).map { k in (k * 7) % 300 }
        let columns = [0, 5, 17, 42, 99, 3]
        var sums = (0..<RegisterTile.floats).map { Float($0) / 10 }
        var expected = sums.map(Double.init)
        for r in 0..<6 {
            for j in 0..<16 {
                for k in 0..<count {
                    expected[r * 16 + j] += Double(x[rowOffsets[k] + columns[r]]) * Double(v[k * vStride + j])
                }
            }
        }
        x.withUnsafeBufferPointer { xb in
            v.withUnsafeBufferPointer { vb in
                rowOffsets.withUnsafeBufferPointer { ob in
                    columns.withUnsafeBufferPointer { cb in
                        sums.withUnsafeMutableBufferPointer { sb in
                            RegisterTile.accumulate(
                                into: sb.baseAddress!, x: xb.baseAddress!, rowOffsets: ob.baseAddress!, count: count,
                                columns: cb.baseAddress!, v: vb.baseAddress!, vStride: vStride)
                        }
                    }
                }
            }
        }
        let worst = zip(sums, expected).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? .infinity
        #expect(worst < 1e-5)
    }

    @Test func anEmptyReductionLeavesTheTileAsItWas() {
        var sums = (0..<RegisterTile.floats).map { Float($0) - 40 }
        let before = sums
        let x: [Float] = [1], v: [Float] = Array(repeating: 1, count: 16), offsets = [0], columns = [0, 0, 0, 0, 0, 0]
        x.withUnsafeBufferPointer { xb in
            v.withUnsafeBufferPointer { vb in
                offsets.withUnsafeBufferPointer { ob in
                    columns.withUnsafeBufferPointer { cb in
                        sums.withUnsafeMutableBufferPointer { sb in
                            RegisterTile.accumulate(
                                into: sb.baseAddress!, x: xb.baseAddress!, rowOffsets: ob.baseAddress!, count: 0,
                                columns: cb.baseAddress!, v: vb.baseAddress!, vStride: 16)
                        }
                    }
                }
            }
        }
        #expect(sums == before)
    }
}
