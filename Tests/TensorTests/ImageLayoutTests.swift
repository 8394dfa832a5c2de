import Testing

@testable import Tensor

/// Planar and channel-blocked image tensors: shapes, the rearrangement between them, and
/// oneDNN's convolutions and global pooling on blocked tensors against the planar path.
@Suite struct ImageLayoutTests {
    @Test func shapesStateTheMemoryOrder() {
        let blocked = ImageLayout.channelBlocked(8)
        #expect(ImageLayout.planar.tensorShape(ofImages: [2, 5, 3, 4]) == [2, 5, 3, 4])
        #expect(blocked.tensorShape(ofImages: [2, 16, 3, 4]) == [2, 2, 3, 4, 8])
        #expect(blocked.imagesShape(ofTensorShape: [2, 2, 3, 4, 8]) == [2, 16, 3, 4])
        #expect(blocked.imagesShape(ofTensorShape: [2, 2, 3, 4, 16]) == nil)
        #expect(blocked.imagesShape(ofTensorShape: [2, 16, 3, 4]) == nil)
        #expect(ImageLayout.planar.imagesShape(ofTensorShape: [2, 2, 3, 4, 8]) == nil)
        #expect(blocked.admits(channels: 24) && !blocked.admits(channels: 12) && ImageLayout.planar.admits(channels: 3))
        #expect(blocked.expectedTensorShape(channels: 32) == [nil, 4, nil, nil, 8])
        #expect((blocked.rank, ImageLayout.planar.rank) == (5, 4))
        #expect((blocked.channelBlock, ImageLayout.planar.channelBlock) == (8, 1))
    }

    @Test func oneDNNBlockedFollowsTheISA() {
        #expect(ImageLayout.oneDNNBlocked == .channelBlocked(OneDNN.isa.hasPrefix("avx512") ? 16 : 8))
    }

    /// Image 1, channel 10, position 2 of a [2, 16, 1, 3] batch lies at
    /// ((1·2 + 1)·3 + 2)·8 + 2 = 90 blocked by 8, and at (1·16 + 10)·3 + 2 = 80 planar.
    @Test func rearrangingMovesEachElementToItsBlockedOffset() {
        let planar = Tensor(shape: [2, 16, 1, 3], scalars: (0..<96).map(Float.init))
        let blocked = planar.rearranged(from: .planar, to: .channelBlocked(8))
        #expect(blocked.shape == [2, 2, 1, 3, 8])
        #expect(blocked.scalars[90] == 80)
        #expect(blocked.scalars[0..<10] == [0, 3, 6, 9, 12, 15, 18, 21, 1, 4])
        #expect(blocked.rearranged(from: .channelBlocked(8), to: .planar) == planar)
        let sixteen = blocked.rearranged(from: .channelBlocked(8), to: .channelBlocked(16))
        #expect(sixteen == planar.rearranged(from: .planar, to: .channelBlocked(16)))
    }

    /// A convolution's three products on blocked tensors are those of the planar path,
    /// bit for bit (the primitives are the same; only the reorders go), for a stem-like
    /// planar-to-blocked shape, blocked-to-blocked at stride 1 and 2, and blocked-to-planar.
    @Test(arguments: [
        (3, 16, 1, ImageLayout.planar, ImageLayout.channelBlocked(16)),
        (16, 16, 1, .channelBlocked(16), .channelBlocked(16)),
        (16, 32, 2, .channelBlocked(16), .channelBlocked(16)),
        (16, 8, 1, .channelBlocked(8), .channelBlocked(8)),
        (16, 5, 1, .channelBlocked(16), .planar),
    ])
    func convolutionOnBlockedTensorsGivesThePlanarBits(
        inputChannels: Int, outputChannels: Int, stride: Int, inputLayout: ImageLayout, outputLayout: ImageLayout
    ) {
        let planar = Conv2dGeometry(
            batch: 3, inputChannels: inputChannels, height: 9, width: 8, outputChannels: outputChannels,
            kernelHeight: 3, kernelWidth: 3, stride: stride, padding: 1)
        let blocked = Conv2dGeometry(
            batch: 3, inputChannels: inputChannels, height: 9, width: 8, outputChannels: outputChannels,
            kernelHeight: 3, kernelWidth: 3, stride: stride, padding: 1, inputLayout: inputLayout, outputLayout: outputLayout)
        var rng = RandomGenerator(seed: 31)
        let x = Tensor.randomNormal(shape: planar.inputShape, using: &rng)
        let w = Tensor.randomNormal(shape: planar.weightShape, using: &rng).scalars
        let b = Tensor.randomNormal(shape: [outputChannels], using: &rng).scalars
        let dy = Tensor.randomNormal(shape: planar.outputShape, using: &rng)

        func run(_ g: Conv2dGeometry, input: Tensor, outputGradient: Tensor) -> (Tensor, Tensor, [Float], [Float]) {
            let space = ConvolutionWorkspace()
            var dw = [Float](repeating: 0, count: g.weightCount), db = [Float](repeating: 0, count: outputChannels)
            let (y, dx) = w.withUnsafeBufferPointer { wp in
                b.withUnsafeBufferPointer { bp in
                    dw.withUnsafeMutableBufferPointer { dwp in
                        db.withUnsafeMutableBufferPointer { dbp in
                            let y = Tensor.conv2dForward(input: input, weight: wp, bias: bp, geometry: g, workspace: space)
                            let dx = Tensor.conv2dBackward(
                                outputGradient: outputGradient, input: input, weight: wp, geometry: g, weightGradient: dwp,
                                biasGradient: dbp, workspace: space, reusingForwardColumns: true)
                            return (y, dx)
                        }
                    }
                }
            }
            return (y, dx, dw, db)
        }
        let reference = run(planar, input: x, outputGradient: dy)
        let result = run(
            blocked, input: x.rearranged(from: .planar, to: inputLayout),
            outputGradient: dy.rearranged(from: .planar, to: outputLayout))
        #expect(result.0.shape == blocked.outputTensorShape)
        #expect(result.1.shape == blocked.inputTensorShape)
        #expect(result.0.rearranged(from: outputLayout, to: .planar).scalars.map(\.bitPattern) == reference.0.scalars.map(\.bitPattern))
        #expect(result.1.rearranged(from: inputLayout, to: .planar).scalars.map(\.bitPattern) == reference.1.scalars.map(\.bitPattern))
        #expect(result.2.map(\.bitPattern) == reference.2.map(\.bitPattern))
        #expect(result.3.map(\.bitPattern) == reference.3.map(\.bitPattern))
    }

    /// At the cnn workload's shapes in this CPU's blocked layout, oneDNN reads and writes
    /// the caller's feature maps in place: no activation is reordered (what the layout is
    /// for); the planar geometry reorders them.
    @Test func blockedFeatureMapsNeedNoReorders() {
        let layout = ImageLayout.oneDNNBlocked
        for (channels, side, stride) in [(32, 16, 1), (32, 16, 2), (64, 8, 1), (128, 4, 1)] {
            let outputChannels = stride == 2 ? 2 * channels : channels
            let blocked = OneDNNConvolution(Conv2dGeometry(
                batch: 8, inputChannels: channels, height: side, width: side, outputChannels: outputChannels,
                kernelHeight: 3, kernelWidth: 3, stride: stride, padding: 1, inputLayout: layout, outputLayout: layout))
            #expect(blocked.reorderedActivations == [], "\(channels) channels at \(side)²")
            let planar = OneDNNConvolution(Conv2dGeometry(
                batch: 8, inputChannels: channels, height: side, width: side, outputChannels: outputChannels,
                kernelHeight: 3, kernelWidth: 3, stride: stride, padding: 1))
            #expect(planar.reorderedActivations.contains("input") && planar.reorderedActivations.contains("output"))
        }
    }

    @Test func blockedGeometryHasBlockedTensorShapes() {
        let g = Conv2dGeometry(
            batch: 1, inputChannels: 8, height: 4, width: 4, outputChannels: 8, kernelHeight: 3, kernelWidth: 3,
            padding: 1, inputLayout: .channelBlocked(8), outputLayout: .planar)
        #expect(!g.isPlanar)
        #expect(g.inputTensorShape == [1, 1, 4, 4, 8] && g.outputTensorShape == [1, 8, 4, 4])
        #expect(g.description.hasSuffix("channel-blocked (nChw8c) → planar (NCHW)"))
    }

    /// Global pooling of blocked feature maps: the planar means, bit for bit, and the
    /// gradient spread to the same places.
    @Test(arguments: [8, 16]) func globalPoolingOfBlockedMapsGivesThePlanarBits(block: Int) {
        var rng = RandomGenerator(seed: 8)
        let x = Tensor.randomNormal(shape: [3, 32, 5, 3], using: &rng)
        let layout = ImageLayout.channelBlocked(block)
        let blocked = x.rearranged(from: .planar, to: layout)
        let planarMeans = Tensor.globalAvgPoolForward(x)
        #expect(Tensor.globalAvgPoolForward(blocked, layout: layout).scalars.map(\.bitPattern) == planarMeans.scalars.map(\.bitPattern))
        let dy = Tensor.randomNormal(shape: [3, 32], using: &rng)
        let dx = Tensor.globalAvgPoolBackward(dy, inputShape: blocked.shape, layout: layout)
        #expect(dx.rearranged(from: layout, to: .planar) == Tensor.globalAvgPoolBackward(dy, inputShape: x.shape))
        // Image 2, channel 17's mean by hand, in Double.
        let plane = (0..<15).map { Double(x.scalars[(2 * 32 + 17) * 15 + $0]) }
        #expect(planarMeans.scalars[2 * 32 + 17] == Float(plane.reduce(0, +) / 15))
    }
}
