import Testing
@testable import Submissions

@Suite struct FusedUpdateTests {
    @Test func walksEveryElementOnceWithItsOwnState() {
        var theta: [Float] = [1, 2, 3, 4]
        var first: [Float] = [10, 20, 30, 40]
        var second: [Float] = [0, 0, 0, 0]
        FusedUpdate.apply(&theta, &first, &second, gradient: [0.5, 1, 1.5, 2]) { t, m, v, g in
            m += g
            v = t * g
            t -= m
        }
        #expect(first == [10.5, 21, 31.5, 42])
        #expect(second == [0.5, 2, 4.5, 8])
        #expect(theta == [-9.5, -19, -28.5, -38])
    }

    /// A tensor in the middle of θ, its state at an offset in a shorter buffer.
    @Test func aRangeReadsItsStateFromTheOffset() {
        var theta: [Float] = [0, 0, 0, 0, 0, 0]
        var first: [Float] = [1, 2, 3, 4]
        var second: [Float] = [0, 0, 0, 0]
        let gradient: [Float] = [9, 9, 5, 6, 7, 9]
        FusedUpdate.apply(&theta, &first, &second, gradient: gradient, range: 2..<5, stateOffset: 1) { t, m, v, g in
            t = m * 100 + g
            v = g
        }
        #expect(theta == [0, 0, 205, 306, 407, 0])
        #expect(second == [0, 5, 6, 7])
        #expect(first == [1, 2, 3, 4])
    }

    @Test func oneAndThreeStateBuffers() {
        var theta: [Float] = [1, 2]
        var state: [Float] = [3, 4]
        FusedUpdate.apply(&theta, &state, gradient: [1, 1]) { t, s, g in
            s += g
            t *= s
        }
        #expect(theta == [4, 10])
        var a: [Float] = [1, 1], b: [Float] = [2, 2], c: [Float] = [0, 5]
        FusedUpdate.apply(&theta, &a, &b, &c, gradient: [1, 2]) { t, x, y, z, g in
            z = max(z, x + y + g)
            t = z
        }
        #expect(c == [4, 5])
        #expect(theta == [4, 5])
    }

    @Test func pointersSeeTheWholeBuffers() {
        var theta: [Float] = [1, 2, 3]
        var first: [Float] = [0, 0, 0], second: [Float] = [0, 0, 0]
        var seen = 0
        FusedUpdate.withPointers(&theta, &first, &second, gradient: [1, 1, 1]) { t, m, _, g, count in
            seen = count
            for i in 0..<count { m[i] = t[i] + g[i] }
        }
        #expect(seen == 3)
        #expect(first == [2, 3, 4])
    }
}
