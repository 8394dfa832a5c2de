import Testing

import Tensor

/// A kept workspace changes where the buffers live, never the numbers: forward and
/// backward through one workspace (reusing the forward's unfolding or reordered input, or
/// not) give the same bits as calls without one, for both algorithms.
@Suite struct ConvolutionWorkspaceTests {
    static let geometry = Conv2dGeometry(
        inputShape: [3, 2, 6, 5], outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)

    private struct Operands {
        let x: Tensor, other: Tensor, w: Tensor, dy: Tensor
        init(_ g: Conv2dGeometry) {
            var rng = RandomGenerator(seed: 21)
            x = Tensor.randomNormal(shape: g.inputShape, using: &rng)
            other = Tensor.randomNormal(shape: g.inputShape, using: &rng)
            w = Tensor.randomNormal(shape: g.weightShape, using: &rng)
            dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        }
    }

    static let algorithms: [ConvolutionAlgorithm] = [.unfolding, .oneDNN]

    private func forward(
        _ x: Tensor, _ w: Tensor, limit: Int, workspace: ConvolutionWorkspace?, _ algorithm: ConvolutionAlgorithm
    ) -> Tensor {
        w.withUnsafeBufferPointer { wb in
            Tensor.conv2dForward(
                input: x, weight: wb, bias: nil, geometry: Self.geometry, maximumColumnElements: limit, workspace: workspace,
                algorithm: algorithm)
        }
    }

    private func backward(
        _ x: Tensor, _ w: Tensor, _ dy: Tensor, limit: Int, workspace: ConvolutionWorkspace?, reusing: Bool,
        _ algorithm: ConvolutionAlgorithm
    ) -> [UInt32] {
        var dw = [Float](repeating: 0, count: Self.geometry.weightCount)
        let dx = w.withUnsafeBufferPointer { wb in
            dw.withUnsafeMutableBufferPointer { dwb in
                Tensor.conv2dBackward(
                    outputGradient: dy, input: x, weight: wb, geometry: Self.geometry, weightGradient: dwb,
                    maximumColumnElements: limit, workspace: workspace, reusingForwardColumns: reusing,
                    algorithm: algorithm)
            }
        }
        return (dx.scalars + dw).map(\.bitPattern)
    }

    /// Whole batch in one chunk (default limit) and one image per chunk (limit 1).
    @Test(arguments: [Conv2dGeometry.defaultMaximumColumnElements, 1], algorithms)
    func reusedUnfoldingGivesTheSameBitsAsAFreshOne(_ limit: Int, _ algorithm: ConvolutionAlgorithm) {
        let o = Operands(Self.geometry)
        let expectedOutput = forward(o.x, o.w, limit: limit, workspace: nil, algorithm).scalars.map(\.bitPattern)
        let expectedGradients = backward(o.x, o.w, o.dy, limit: limit, workspace: nil, reusing: false, algorithm)
        let workspace = ConvolutionWorkspace()
        #expect(forward(o.x, o.w, limit: limit, workspace: workspace, algorithm).scalars.map(\.bitPattern) == expectedOutput)
        #expect(backward(o.x, o.w, o.dy, limit: limit, workspace: workspace, reusing: true, algorithm) == expectedGradients)
        // The columns now hold the column gradient: a second backward must unfold again.
        #expect(backward(o.x, o.w, o.dy, limit: limit, workspace: workspace, reusing: true, algorithm) == expectedGradients)
    }

    @Test(arguments: algorithms) func theUnfoldingOfTheLatestForwardIsTheOneReused(_ algorithm: ConvolutionAlgorithm) {
        let o = Operands(Self.geometry)
        let limit = Conv2dGeometry.defaultMaximumColumnElements
        let expected = backward(o.other, o.w, o.dy, limit: limit, workspace: nil, reusing: false, algorithm)
        let workspace = ConvolutionWorkspace()
        _ = forward(o.x, o.w, limit: limit, workspace: workspace, algorithm)
        _ = forward(o.other, o.w, limit: limit, workspace: workspace, algorithm)
        #expect(backward(o.other, o.w, o.dy, limit: limit, workspace: workspace, reusing: true, algorithm) == expected)
    }

    /// A workspace keeps oneDNN's primitives for its latest geometries
    /// (`oneDNNGeometriesKept`) and the forward pass's reordered input. Cycling through more
    /// geometries than it keeps, in an order that revisits kept and dropped ones, must still
    /// give the bits of fresh calls.
    @Test func keptPrimitivesGiveTheSameBitsAsFreshOnes() {
        let shapes = [[3, 2, 6, 5], [3, 2, 5, 6], [1, 2, 6, 5], [2, 2, 7, 7], [3, 2, 9, 4]]
        #expect(shapes.count > ConvolutionWorkspace.oneDNNGeometriesKept)
        let geometries = shapes.map {
            Conv2dGeometry(inputShape: $0, outputChannels: 4, kernelHeight: 5, kernelWidth: 5, stride: 2, padding: 2)
        }
        var rng = RandomGenerator(seed: 22)
        let w = Tensor.randomNormal(shape: geometries[0].weightShape, using: &rng)
        func run(_ g: Conv2dGeometry, _ workspace: ConvolutionWorkspace?, _ rng: inout RandomGenerator) -> (kept: [UInt32], fresh: [UInt32]) {
            let x = Tensor.randomNormal(shape: g.inputShape, using: &rng)
            let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
            func pass(_ workspace: ConvolutionWorkspace?) -> [UInt32] {
                var dw = [Float](repeating: 0, count: g.weightCount)
                return w.withUnsafeBufferPointer { wb in
                    let y = Tensor.conv2dForward(input: x, weight: wb, bias: nil, geometry: g, workspace: workspace, algorithm: .oneDNN)
                    let dx = dw.withUnsafeMutableBufferPointer { dwb in
                        Tensor.conv2dBackward(
                            outputGradient: dy, input: x, weight: wb, geometry: g, weightGradient: dwb,
                            workspace: workspace, reusingForwardColumns: true, algorithm: .oneDNN)
                    }
                    return (y.scalars + dx.scalars + dw).map(\.bitPattern)
                }
            }
            return (pass(workspace), pass(nil))
        }
        let workspace = ConvolutionWorkspace()
        for index in [0, 0, 1, 2, 3, 4, 0, 4, 1, 1, 2] {
            let g = geometries[index]
            let (kept, fresh) = run(g, workspace, &rng)
            #expect(kept == fresh, "\(g)")
        }
    }

    @Test(arguments: algorithms) func aWorkspaceFollowsTheBatchSizeUpAndDown(_ algorithm: ConvolutionAlgorithm) {
        let small = Conv2dGeometry(inputShape: [1, 2, 6, 5], outputChannels: 4, kernelHeight: 3, kernelWidth: 3, padding: 1)
        var rng = RandomGenerator(seed: 5)
        let w = Tensor.randomNormal(shape: small.weightShape, using: &rng)
        let x1 = Tensor.randomNormal(shape: small.inputShape, using: &rng)
        let x3 = Tensor.randomNormal(shape: Self.geometry.inputShape, using: &rng)
        let workspace = ConvolutionWorkspace()
        for (x, g) in [(x1, small), (x3, Self.geometry), (x1, small)] {
            let kept = w.withUnsafeBufferPointer {
                Tensor.conv2dForward(input: x, weight: $0, bias: nil, geometry: g, workspace: workspace, algorithm: algorithm)
            }
            let fresh = w.withUnsafeBufferPointer {
                Tensor.conv2dForward(input: x, weight: $0, bias: nil, geometry: g, algorithm: algorithm)
            }
            #expect(kept.scalars.map(\.bitPattern) == fresh.scalars.map(\.bitPattern))
        }
    }
}
