import Tensor
import Testing

@Suite struct ElementwiseTests {
    let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    let b = Tensor(shape: [2, 2], scalars: [10, -20, 0.5, 0])

    @Test func addition() {
        var x = a
        x.add(b)
        #expect(x.scalars == [11, -18, 3.5, 4])
        #expect(x.shape == [2, 2])
        #expect(b.scalars == [10, -20, 0.5, 0])
    }

    @Test func scaledAddition() {
        var x = a
        x.add(b, scaledBy: -0.5)
        #expect(x.scalars == [-4, 12, 2.75, 4])
    }

    @Test func scaling() {
        var x = a
        x.scale(by: -2)
        #expect(x.scalars == [-2, -4, -6, -8])
        x.scale(by: 0)
        #expect(x.scalars.allSatisfy { $0 == 0 })
    }

    @Test func mapAppliesToEveryElementAndKeepsTheOriginal() {
        let squared = a.map { $0 * $0 }
        #expect(squared.shape == a.shape)
        #expect(squared.scalars == [1, 4, 9, 16])
        #expect(a.scalars == [1, 2, 3, 4])
    }

    @Test func copiesAreIndependent() {
        let original = a
        var copy = original
        copy.add(b)
        #expect(original.scalars == [1, 2, 3, 4])
        #expect(copy != original)
    }

    /// The rectifier on lengths around the 16-lane width (whole vectors, a tail, only a
    /// tail): negatives to zero, NaN kept, −0 kept, and the gradient passed only where the
    /// input is positive, against the scalar definition.
    @Test(arguments: [1, 15, 16, 17, 40]) func rectifierMatchesItsScalarDefinition(_ count: Int) {
        var rng = RandomGenerator(seed: UInt64(count))
        var x = Tensor.randomNormal(shape: [count], using: &rng)
        x.withUnsafeMutableBufferPointer { v in
            v[0] = .nan
            if count > 2 { v[1] = -0.0; v[2] = 0 }
        }
        let dy = Tensor.randomNormal(shape: [count], using: &rng)
        let y = x.rectified()
        let dx = Tensor.rectifierGradient(outputGradient: dy, input: x)
        #expect(y.shape == [count] && dx.shape == [count])
        #expect(y.scalars[0].isNaN && dx.scalars[0] == 0)
        for i in 1..<count {
            let v = x.scalars[i]
            #expect(y.scalars[i].bitPattern == (v < 0 ? Float(0) : v).bitPattern)
            #expect(dx.scalars[i].bitPattern == (v > 0 ? dy.scalars[i] : Float(0)).bitPattern)
        }
        if count > 2 { #expect(y.scalars[1].sign == .minus && dx.scalars[1] == 0 && dx.scalars[2] == 0) }
    }

    /// Feature-map sizes, which the rectifier, its gradient and the addition split over the
    /// threads (two here; an odd count leaves a tail): the scalar definitions, bit for bit.
    @Test func largeTensorsGiveTheScalarDefinitions() {
        let count = 300_007
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal(shape: [count], using: &rng)
        let dy = Tensor.randomNormal(shape: [count], using: &rng)
        #expect(x.rectified().scalars.map(\.bitPattern) == x.scalars.map { ($0 < 0 ? 0 : $0).bitPattern })
        let dx = Tensor.rectifierGradient(outputGradient: dy, input: x)
        #expect(dx.scalars.map(\.bitPattern) == zip(x.scalars, dy.scalars).map { ($0 > 0 ? $1 : 0).bitPattern })
        var sum = x
        sum.add(dy)
        #expect(sum.scalars.map(\.bitPattern) == zip(x.scalars, dy.scalars).map { ($0 + $1).bitPattern })
    }
}
