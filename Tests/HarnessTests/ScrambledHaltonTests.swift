import Foundation
import Testing
@testable import Harness

@Suite struct ScrambledHaltonTests {
    @Test func basesAreTheFirstPrimes() {
        #expect(ScrambledHalton(dimensions: 6, seed: 1).bases == [2, 3, 5, 7, 11, 13])
    }

    @Test func sameSeedSamePointsDifferentSeedDifferentPoints() {
        let a = ScrambledHalton(dimensions: 3, seed: 42).points(20)
        let b = ScrambledHalton(dimensions: 3, seed: 42).points(20)
        let c = ScrambledHalton(dimensions: 3, seed: 43).points(20)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func pointsLieInTheUnitCube() {
        for point in ScrambledHalton(dimensions: 5, seed: 9).points(500) {
            #expect(point.allSatisfy { $0 >= 0 && $0 < 1 })
        }
    }

    /// Scrambling relabels digits bijectively, so the first b^k points of a base-b
    /// coordinate still fall one in each interval of width b^-k.
    @Test func firstPowerOfBasePointsStratifyEachCoordinate() {
        let sequence = ScrambledHalton(dimensions: 3, seed: 2024)
        for (dimension, base) in sequence.bases.enumerated() {
            for digits in 1...3 {
                let count = Int(pow(Double(base), Double(digits)))
                let cells = (0..<count).map { Int(sequence.point($0)[dimension] * Double(count)) }
                #expect(Set(cells).count == count, "base \(base), \(count) points")
            }
        }
    }

    /// In two dimensions the first 6·k points cover a 2×3 grid evenly (the joint
    /// stratification of Halton bases 2 and 3).
    @Test func jointCoverageOfTwoDimensions() {
        let sequence = ScrambledHalton(dimensions: 2, seed: 77)
        var counts = [Int](repeating: 0, count: 6)
        for point in sequence.points(36) {
            counts[Int(point[0] * 2) * 3 + Int(point[1] * 3)] += 1
        }
        #expect(counts == [6, 6, 6, 6, 6, 6])
    }

    @Test func scramblingMovesPointsAwayFromPlainHalton() {
        // Plain Halton's second base-2 point is exactly 0.5; a scrambled one almost never is.
        let differing = (0..<10).filter { ScrambledHalton(dimensions: 1, seed: UInt64($0)).point(1)[0] != 0.5 }
        #expect(differing.count >= 9)
    }
}
