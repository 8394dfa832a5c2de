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
}
