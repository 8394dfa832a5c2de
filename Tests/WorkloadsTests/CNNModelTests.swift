import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

/// The small ResNet of the `cnn` workload: layout, FLOP count, initialisation, shapes.
@Suite struct CNNModelTests {
    /// Settings of the real spec with `extra` applied; the stem keeps full resolution
    /// (`stem_stride` 1) unless `extra` says otherwise, so the hand counts below read simply.
    static func settings(_ extra: [String: JSONValue] = [:]) throws -> CNNSettings {
        try CNNSettings(spec: WorkloadTestSupport.spec("cnn", overrides: ["stem_stride": .number(1)].merging(extra) { $1 }))
    }

    @Test func layoutListsStemStagesBlocksAndHeadInOrder() throws {
        let model = CNNModel(settings: try Self.settings(["width": .number(4), "stages": .number(3), "blocks_per_stage": .number(1)]))
        let expected: [(String, [Int], ParameterKind)] = [
            ("stem.weight", [4, 3, 3, 3], .convWeight), ("stem.bias", [4], .bias),
            ("stage1.block1.conv1.weight", [4, 4, 3, 3], .convWeight), ("stage1.block1.conv1.bias", [4], .bias),
            ("stage1.block1.conv2.weight", [4, 4, 3, 3], .convWeight), ("stage1.block1.conv2.bias", [4], .bias),
            ("stage2.down.weight", [8, 4, 3, 3], .convWeight), ("stage2.down.bias", [8], .bias),
            ("stage2.block1.conv1.weight", [8, 8, 3, 3], .convWeight), ("stage2.block1.conv1.bias", [8], .bias),
            ("stage2.block1.conv2.weight", [8, 8, 3, 3], .convWeight), ("stage2.block1.conv2.bias", [8], .bias),
            ("stage3.down.weight", [16, 8, 3, 3], .convWeight), ("stage3.down.bias", [16], .bias),
            ("stage3.block1.conv1.weight", [16, 16, 3, 3], .convWeight), ("stage3.block1.conv1.bias", [16], .bias),
            ("stage3.block1.conv2.weight", [16, 16, 3, 3], .convWeight), ("stage3.block1.conv2.bias", [16], .bias),
            ("head.weight", [10, 16], .weight), ("head.bias", [10], .bias),
        ]
        #expect(model.layout.views.map(\.name) == expected.map(\.0))
        #expect(model.layout.views.map(\.shape) == expected.map(\.1))
        #expect(model.layout.views.map(\.kind) == expected.map(\.2))
        let count = 4 * 27 + 4 + 2 * (4 * 36 + 4) + (8 * 36 + 8) + 2 * (8 * 72 + 8) + (16 * 72 + 16) + 2 * (16 * 144 + 16) + 10 * 16 + 10
        #expect(model.layout.count == count)
    }

    @Test func forwardFlopsAreTheConvolutionAndHeadMultiplyAdds() throws {
        // 32×32, width 16, three stages of one block, by hand:
        // stem 2·16·27·32², block 2·(2·16·144·32²), down 2·32·144·16², block 2·(2·32·288·16²),
        // down 2·64·288·8², block 2·(2·64·576·8²), head 2·64·10.
        let model = CNNModel(settings: try Self.settings(["width": .number(16), "stages": .number(3), "blocks_per_stage": .number(1)]))
        let byHand = 2 * 16 * 27 * 1024 + 2 * (2 * 16 * 144 * 1024) + 2 * 32 * 144 * 256 + 2 * (2 * 32 * 288 * 256)
            + 2 * 64 * 288 * 64 + 2 * (2 * 64 * 576 * 64) + 2 * 64 * 10
        #expect(model.forwardFlopsPerImage == byHand)
        #expect(byHand == 33_916_160)
        // Twice the blocks add the block terms once more.
        let deeper = CNNModel(settings: try Self.settings(["width": .number(16), "stages": .number(3), "blocks_per_stage": .number(2)]))
        #expect(deeper.forwardFlopsPerImage == byHand + 3 * 2 * (2 * 16 * 144 * 1024))
    }

    @Test func strideTwoStemQuartersEveryStageAndHalvesTheStemsOutput() throws {
        // 32×32, width 32, stem stride 2: stages at 16², 8², 4² with 32, 64, 128 channels.
        let model = CNNModel(settings: try Self.settings([
            "width": .number(32), "stages": .number(3), "blocks_per_stage": .number(1), "stem_stride": .number(2),
        ]))
        let byHand = 2 * 32 * 27 * 256 + 2 * (2 * 32 * 288 * 256) + 2 * 64 * 288 * 64 + 2 * (2 * 64 * 576 * 64)
            + 2 * 128 * 576 * 16 + 2 * (2 * 128 * 1152 * 16) + 2 * 128 * 10
        #expect(model.forwardFlopsPerImage == byHand)
        #expect(byHand == 33_475_072)
        var generator = RandomGenerator(seed: 2)
        let images = Tensor(shape: [2, 3, 32, 32], scalars: (0..<(2 * 3 * 1024)).map { Float($0 % 17) / 17 })
        #expect(model.logits(model.initialParameters(using: &generator), images).shape == [2, 10])
    }

    @Test func residualBranchesStartAtZeroAndTheRestIsHeInitialised() throws {
        let model = CNNModel(settings: try Self.settings(["width": .number(16), "stages": .number(2), "blocks_per_stage": .number(2)]))
        var generator = RandomGenerator(seed: 4)
        let p = model.initialParameters(using: &generator)
        for view in p.views {
            let values = Array(p.values[view.range])
            if view.kind == .bias {
                #expect(values.allSatisfy { $0 == 0 }, "\(view.name)")
            } else if view.name.hasSuffix("conv2.weight") {
                #expect(values.allSatisfy { $0 == 0 }, "\(view.name) should start at zero")
            } else if view.kind == .convWeight {
                // N(0, 2/fan_in): the sample standard deviation within 10%.
                let fanIn = view.count / view.shape[0]
                let std = (values.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(values.count)).squareRoot()
                #expect(abs(std / (2 / Double(fanIn)).squareRoot() - 1) < 0.1, "\(view.name): std \(std)")
            }
        }
    }

    @Test func logitsHaveOneRowPerImageAtAnyImageSize() throws {
        for size in [8, 12, 32] {
            let model = CNNModel(settings: try Self.settings(["image_size": .number(Double(size)), "width": .number(2), "classes": .number(7)]))
            var generator = RandomGenerator(seed: 1)
            let p = model.initialParameters(using: &generator)
            let images = Tensor.randomNormal(shape: [3, 3, size, size], using: &generator)
            let logits = model.logits(p, images)
            #expect(logits.shape == [3, 7])
            #expect(logits.scalars.allSatisfy { $0.isFinite })
        }
    }

    /// The network keeps oneDNN's blocked layout from the stem to the pooling where the
    /// channels fill its blocks, and its logits and gradient are the all-planar network's,
    /// bit for bit (random parameters, so no branch starts at zero).
    @Test(arguments: [ImageLayout.channelBlocked(8), .channelBlocked(16)])
    func blockedFeatureMapsGiveThePlanarNetworksBits(layout: ImageLayout) throws {
        let settings = try Self.settings(["image_size": .number(12), "width": .number(16), "stem_stride": .number(2)])
        let blocked = CNNModel(settings: settings, featureLayout: layout)
        let planar = CNNModel(settings: settings, featureLayout: .planar)
        let convolutions = blocked.network.layers.compactMap { $0 as? Conv2d }
        #expect(convolutions.first?.inputLayout == .planar)
        #expect(convolutions.allSatisfy { $0.outputLayout == layout })
        var generator = RandomGenerator(seed: 12)
        var parameters = ParameterSet(layout: blocked.layout)
        parameters.values.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 0.1) }
        let images = Tensor.randomNormal(shape: [5, 3, 12, 12], using: &generator)
        let probe = Tensor.randomNormal(shape: [5, 10], using: &generator)
        func logitsAndGradient(_ model: CNNModel) -> ([UInt32], [UInt32]) {
            let logits = model.logits(parameters, images)
            var gradient = ParameterSet.zeros(like: parameters)
            model.network.accumulateParameterGradients(probe, parameters: parameters, gradient: &gradient)
            return (logits.scalars.map(\.bitPattern), gradient.values.map(\.bitPattern))
        }
        let (blockedLogits, blockedGradient) = logitsAndGradient(blocked)
        let (planarLogits, planarGradient) = logitsAndGradient(planar)
        #expect(blockedLogits == planarLogits)
        #expect(blockedGradient == planarGradient)
        #expect(planarGradient.contains { $0 != 0 })
    }

    @Test func zeroBlocksPerStageIsAPlainConvolutionChain() throws {
        let model = CNNModel(settings: try Self.settings(["width": .number(4), "stages": .number(2), "blocks_per_stage": .number(0)]))
        #expect(model.layout.views.map(\.name) == ["stem.weight", "stem.bias", "stage2.down.weight", "stage2.down.bias", "head.weight", "head.bias"])
    }
}
