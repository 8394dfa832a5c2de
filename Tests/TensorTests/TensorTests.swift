import Tensor
import Testing

@Suite struct TensorTests {
    @Test func construction() {
        let filled = Tensor(shape: [2, 3], repeating: 1.5)
        #expect(filled.shape == [2, 3])
        #expect(filled.count == 6)
        #expect(filled.rank == 2)
        #expect(filled.scalars == [Float](repeating: 1.5, count: 6))
        #expect(Tensor(shape: [4]).scalars == [0, 0, 0, 0])
        let zeros = Tensor(zerosLike: filled)
        #expect(zeros.shape == [2, 3] && zeros.scalars.allSatisfy { $0 == 0 })
        let empty = Tensor(shape: [3, 0])
        #expect(empty.count == 0 && empty.rank == 2)
        let scalar = Tensor(shape: [], scalars: [7])
        #expect(scalar.count == 1 && scalar.rank == 0)
        #expect(scalar.flatIndex([]) == 0)
    }

    @Test func aTensorInitializedByAKernelHoldsWhatItWrote() {
        var calls = 0
        let t = Tensor(shape: [2, 3]) { buffer in
            calls += 1
            #expect(buffer.count == 6)
            for i in buffer.indices { buffer[i] = Float(i) * 0.5 }
        }
        #expect(calls == 1)
        #expect(t.shape == [2, 3])
        #expect(t.scalars == [0, 0.5, 1, 1.5, 2, 2.5])
        let empty = Tensor(shape: [0, 4]) { buffer in #expect(buffer.isEmpty) }
        #expect(empty.shape == [0, 4] && empty.scalars.isEmpty)
    }

    @Test func rowMajorIndexing() {
        let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        #expect(t.flatIndex([0, 0, 0]) == 0)
        #expect(t.flatIndex([0, 0, 3]) == 3)
        #expect(t.flatIndex([0, 1, 0]) == 4)
        #expect(t.flatIndex([1, 0, 0]) == 12)
        #expect(t.flatIndex([1, 2, 3]) == 23)
        #expect(t[1, 2, 1] == 21)
        #expect(t[0, 1, 2] == 6)
    }

    @Test func subscriptWrites() {
        var t = Tensor(shape: [2, 2])
        t[1, 0] = 5
        t[0, 1] = -1
        #expect(t.scalars == [0, -1, 5, 0])
    }

    @Test func reshapeKeepsElementsInOrder() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let r = t.reshaped(to: [3, 2])
        #expect(r.shape == [3, 2])
        #expect(r.scalars == t.scalars)
        #expect(r[2, 0] == 5)
        #expect(t.reshaped(to: [6]).reshaped(to: [1, 2, 3]) == t.reshaped(to: [1, 2, 3]))
        #expect(t.shape == [2, 3])
    }

    @Test func equalityComparesShapeAndElements() {
        let t = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(t == Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        #expect(t != Tensor(shape: [4], scalars: [1, 2, 3, 4]))
        #expect(t != Tensor(shape: [2, 2], scalars: [1, 2, 3, 5]))
    }

    @Test func bufferAccess() {
        var t = Tensor(shape: [3], scalars: [1, 2, 3])
        t.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] *= 10 }
        }
        #expect(t.withUnsafeBufferPointer { Array($0) } == [10, 20, 30])
    }

    @Test func descriptionShowsShapeAndAPreview() {
        #expect(Tensor(shape: [1, 2], scalars: [1, 2]).description == "Tensor(shape: [1, 2], [1.0, 2.0])")
        let long = Tensor(shape: [10], repeating: 0).description
        #expect(long.hasSuffix(", …])"))
    }
}
