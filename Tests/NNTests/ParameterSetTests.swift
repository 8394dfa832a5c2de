import NN
import Tensor
import Testing

@Suite struct ParameterSetTests {
    func makeLayout() -> ParameterLayout {
        var layout = ParameterLayout()
        layout.add("conv", shape: [4, 3, 2, 2], kind: .convWeight)
        layout.add("bias", shape: [4], kind: .bias)
        layout.add("scalar", shape: [], kind: .normScale)
        layout.add("fc", shape: [2, 5], kind: .weight)
        return layout
    }

    @Test func viewsAreContiguousInOrder() {
        let layout = makeLayout()
        #expect(layout.views.map(\.offset) == [0, 48, 52, 53])
        #expect(layout.views.map(\.range) == [0..<48, 48..<52, 52..<53, 53..<63])
        #expect(layout.views.map(\.count) == [48, 4, 1, 10])
        #expect(layout.count == 63)
        #expect(layout.view(named: "fc")?.kind == .weight)
        #expect(layout.view(named: "missing") == nil)
    }

    @Test func matrixShapeFlattensTrailingAxes() {
        let layout = makeLayout()
        let shapes = layout.views.map(\.matrixShape)
        #expect(shapes[0] == (4, 12))
        #expect(shapes[1] == (1, 4))
        #expect(shapes[2] == (1, 1))
        #expect(shapes[3] == (2, 5))
    }

    @Test func tensorAndSetRoundTrip() {
        let layout = makeLayout()
        var parameters = ParameterSet(layout: layout)
        let fc = Tensor(shape: [2, 5], scalars: (0..<10).map(Float.init))
        let view = try! #require(layout.view(named: "fc"))
        parameters.set(view, to: fc)
        #expect(parameters.tensor(named: "fc") == fc)
        #expect(parameters.tensor(view) == fc)
        #expect(Array(parameters.values[53..<63]) == fc.scalars)
        #expect(parameters.values[0..<53].allSatisfy { $0 == 0 })
        parameters.withUnsafeMutableBufferPointer(view) { $0[2] = -1 }
        #expect(parameters.withUnsafeBufferPointer(view) { $0[2] } == -1)
        #expect(parameters.values[55] == -1)
    }

    @Test func zerosLikeKeepsTheLayout() {
        let parameters = ParameterSet(layout: makeLayout(), repeating: 3)
        let zeros = ParameterSet.zeros(like: parameters)
        #expect(zeros.layout == parameters.layout)
        #expect(zeros.values.count == 63 && zeros.values.allSatisfy { $0 == 0 })
    }

    @Test func twoViewsAreWrittenThroughOneCall() {
        var parameters = ParameterSet(layout: makeLayout(), repeating: 0)
        let conv = parameters.layout.view(named: "conv")!, fc = parameters.layout.view(named: "fc")!
        parameters.withUnsafeMutableBufferPointers(fc, conv) { a, b in
            #expect(a.count == 10 && b.count == 48)
            a.update(repeating: 2)
            b[47] = 5
        }
        #expect(parameters.tensor(fc).scalars == [Float](repeating: 2, count: 10))
        #expect(parameters.tensor(conv).scalars.last == 5)
        #expect(parameters.values.reduce(0, +) == 25)
    }

    @Test func theSameViewTwiceStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var layout = ParameterLayout()
            let bias = layout.add("bias", shape: [4], kind: .bias)
            var parameters = ParameterSet(layout: layout)
            parameters.withUnsafeMutableBufferPointers(bias, bias) { _, _ in }
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("views 'bias' and 'bias' overlap"))
        }
    }

    @Test func duplicateNameStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var layout = ParameterLayout()
            layout.add("w", shape: [2], kind: .weight)
            layout.add("w", shape: [3], kind: .weight)
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("parameter 'w' is already registered"))
        }
    }

    @Test func viewOfAnotherLayoutStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var a = ParameterLayout(), b = ParameterLayout()
            a.add("w", shape: [2], kind: .weight)
            let foreign = b.add("w", shape: [3], kind: .weight)
            _ = ParameterSet(layout: a).tensor(foreign)
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("view 'w' does not belong to this layout"))
        }
    }
}
