import Testing
@testable import Submissions

@Suite struct SignStepsTests {
    @Test func signumIsZeroAtZeroAndNaN() {
        let values: [Float] = [2.5, -3, 0, -0.0, .nan, .infinity, -.leastNonzeroMagnitude]
        #expect(values.map(\.signum) == [1, -1, 0, 0, 0, 1, -1])
    }

    @Test func magnitudeTakesTheOtherSign() {
        #expect(Float(-3).magnitude(signedLike: 2) == 3)
        #expect(Float(3).magnitude(signedLike: -0.5) == -3)
        #expect(Float(3).magnitude(signedLike: 0) == 0)
        #expect(Float(3).magnitude(signedLike: .nan) == 0)
    }
}
