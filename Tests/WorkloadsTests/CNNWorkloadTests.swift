import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

@Suite struct CNNWorkloadTests {
    /// Small settings of the real spec (or a variant): 8×8 images, two stages of width 2,
    /// fast enough for debug builds.
    static func smallSpec(variant: String? = nil, _ extra: [String: JSONValue] = [:]) throws -> WorkloadSpec {
        var overrides: [String: JSONValue] = [
            "image_size": .number(8), "width": .number(2), "stages": .number(2), "crop_padding": .number(1), "stem_stride": .number(1),
            "train_examples": .number(120), "validation_examples": .number(40), "test_examples": .number(40),
            "train_eval_examples": .number(40),
        ]
        overrides.merge(extra) { $1 }
        return try WorkloadTestSupport.spec("cnn", variant: variant, overrides: overrides)
    }

    static func small(variant: String? = nil, _ extra: [String: JSONValue] = [:]) throws -> CNNWorkload {
        try CNNWorkload(spec: smallSpec(variant: variant, extra))
    }

    /// The initial parameters plus `N(0, scale²)` noise, so that every path of the network
    /// (including the zero-initialised residual branches) carries gradient.
    static func perturbed(_ w: CNNWorkload, seed: UInt64, scale: Float = 0.2) -> ParameterSet {
        var p = w.initialParameters(seed: seed)
        let noise = WorkloadTestSupport.randomDirection(like: p, seed: seed &+ 100)
        for i in p.values.indices { p.values[i] += scale * noise.values[i] }
        return p
    }

    @Test func sameSeedGivesBitIdenticalParametersBatchesLossAndMetrics() throws {
        let a = try Self.small(), b = try Self.small()
        let pa = a.initialParameters(seed: 5), pb = b.initialParameters(seed: 5)
        #expect(pa == pb)
        let batchA = a.makeDataStream(seed: 9).nextBatch(size: 16), batchB = b.makeDataStream(seed: 9).nextBatch(size: 16)
        #expect(batchA == batchB)
        #expect(a.loss(pa, batch: batchA).bitPattern == b.loss(pb, batch: batchB).bitPattern)
        var ga = ParameterSet.zeros(like: pa), gb = ParameterSet.zeros(like: pb)
        let la = a.lossAndGradient(pa, batch: batchA, into: &ga), lb = b.lossAndGradient(pb, batch: batchB, into: &gb)
        #expect(la.bitPattern == lb.bitPattern && ga.values.map(\.bitPattern) == gb.values.map(\.bitPattern))
        #expect(la.bitPattern == a.loss(pa, batch: batchA).bitPattern)
        #expect(a.evaluate(pa) == b.evaluate(pb))
    }

    /// The model's stated FLOPs are the products it really runs: a loss-and-gradient step
    /// counted at the BLAS boundary is three forward passes' worth per image, less the
    /// stem's input gradient, one stem forward pass.
    @Test func aTrainingStepRunsTheStatedFlops() throws {
        let w = try Self.small()
        let parameters = w.initialParameters(seed: 1)
        var gradient = ParameterSet.zeros(like: parameters)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 5)
        let flops = BLAS.countingFlops { _ = w.lossAndGradient(parameters, batch: batch, into: &gradient) }.flops
        let stemFlops = 2 * 2 * 3 * 9 * 8 * 8  // width 2, 3 channels, 3×3, 8×8 positions
        #expect(flops == 5 * w.trainingFlopsPerImage)
        #expect(w.trainingFlopsPerImage == 3 * w.forwardFlopsPerImage - stemFlops)
        #expect(w.forwardFlopsPerImage > 0)
    }

    @Test func differentSeedsGiveDifferentParametersAndBatches() throws {
        let w = try Self.small()
        #expect(w.initialParameters(seed: 1) != w.initialParameters(seed: 2))
        let x1 = w.makeDataStream(seed: 1).nextBatch(size: 16), x2 = w.makeDataStream(seed: 2).nextBatch(size: 16)
        #expect(x1.images != x2.images)
        let other = try Self.small(["data_seed": .number(1)])
        #expect(other.validationSet.images != w.validationSet.images)
    }

    /// On the GELU variant: the network is assembled identically for both activations,
    /// and ReLU's kinks (crossed by a 1e-2 step at many of the small pre-activations of
    /// perturbed parameters) make central differences of the ReLU network unreliable.
    @Test func gradientMatchesCentralDifferencesAtRandomCoordinates() throws {
        let w = try Self.small(variant: "cnn_gelu", ["classes": .number(4)])
        let p = Self.perturbed(w, seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 6)
        // Every parameter tensor is checked at a few coordinates, plus random ones.
        WorkloadTestSupport.checkGradient(w, parameters: p, batch: batch, samples: 60, step: 1e-2, tolerance: 2e-2)
        var g = ParameterSet.zeros(like: p)
        _ = w.lossAndGradient(p, batch: batch, into: &g)
        for view in p.views {
            let i = view.offset + view.count / 2
            var plus = p, minus = p
            plus.values[i] += 1e-2
            minus.values[i] -= 1e-2
            let numeric = (Double(w.loss(plus, batch: batch)) - Double(w.loss(minus, batch: batch))) / (Double(plus.values[i]) - Double(minus.values[i]))
            let scale = max(abs(numeric), abs(Double(g.values[i])), 1e-3)
            #expect(abs(Double(g.values[i]) - numeric) <= 3e-2 * scale, "\(view.name)[\(view.count / 2)]: analytic \(g.values[i]) numeric \(numeric)")
        }
    }

    @Test func gradientIsWrittenNotAccumulated() throws {
        let w = try Self.small()
        let p = Self.perturbed(w, seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 8)
        var fresh = ParameterSet.zeros(like: p), dirty = ParameterSet(layout: p.layout, repeating: 7)
        _ = w.lossAndGradient(p, batch: batch, into: &fresh)
        _ = w.lossAndGradient(p, batch: batch, into: &dirty)
        #expect(fresh == dirty)
    }

    @Test func hessianVectorProductMatchesGradientDifferences() throws {
        let w = try Self.small(variant: "cnn_gelu", ["classes": .number(4)])
        let p = Self.perturbed(w, seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 6)
        let v = WorkloadTestSupport.randomDirection(like: p, seed: 4)
        WorkloadTestSupport.checkHessianVectorProduct(w, parameters: p, batch: batch, vector: v, step: 1e-2, tolerance: 5e-2)
        // Linear in v: H(2v) = 2 Hv up to the finite-difference step, which scales with 1/‖v‖.
        var hv = ParameterSet.zeros(like: p), h2v = ParameterSet.zeros(like: p)
        var twice = v
        for i in twice.values.indices { twice.values[i] *= 2 }
        w.hessianVectorProduct(p, batch: batch, vector: v, into: &hv)
        w.hessianVectorProduct(p, batch: batch, vector: twice, into: &h2v)
        let norm = hv.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let difference = zip(hv.values, h2v.values).reduce(0.0) { $0 + pow(2 * Double($1.0) - Double($1.1), 2) }.squareRoot()
        #expect(difference <= 1e-2 * 2 * norm, "‖2Hv − H(2v)‖ = \(difference), ‖Hv‖ = \(norm)")
    }

    // MARK: - Metrics on constructed cases

    /// Four classes of 8×8 images whose channel 0 is flat at a class-specific byte
    /// (20, 90, 160, 230) and whose other channels are seeded noise; 10 images per class
    /// in validation and test.
    static let classBytes: [UInt8] = [20, 90, 160, 230]

    static func constructedWorkload() throws -> CNNWorkload {
        let spec = try smallSpec(["classes": .number(4), "activation": .string("relu")])
        let settings = try CNNSettings(spec: spec)
        var generator = RandomGenerator(seed: 11)
        func images(_ count: Int) -> ImageDataSet {
            let plane = 64
            var pixels = [UInt8](repeating: 0, count: count * 3 * plane)
            let labels = (0..<count).map { Int32($0 % 4) }
            for i in 0..<count {
                for j in 0..<plane { pixels[i * 3 * plane + j] = classBytes[Int(labels[i])] }
                for j in plane..<(3 * plane) { pixels[i * 3 * plane + j] = UInt8(generator.nextInt(below: 256)) }
            }
            return ImageDataSet(size: 8, pixels: pixels, labels: labels)
        }
        let data = CNNData(
            prototypes: ImageClassPrototype.prototypes(count: 4, seed: 0),
            train: images(40), validation: images(40), test: images(40))
        return CNNWorkload(spec: spec, settings: settings, data: data)
    }

    /// A hand-set network that carries channel 0 (shifted by +10, so ReLUs pass it) to the
    /// pooled features through centre taps, with zero residual branches, and a head
    /// `logit_j = 20 (2 f_j f − f_j²)`, whose argmax is the class whose feature `f_j` is nearest.
    static func nearestFeatureClassifier(_ w: CNNWorkload) throws -> ParameterSet {
        var p = ParameterSet(layout: w.info.layout)
        func set(_ name: String, _ index: Int, _ value: Float) throws {
            let view = try #require(w.info.layout.view(named: name), "no parameter \(name)")
            p.values[view.offset + index] = value
        }
        try set("stem.weight", 4, 1)  // [out 0, in 0, ky 1, kx 1]
        try set("stem.bias", 0, 10)
        try set("stage2.down.weight", 4, 1)
        for (j, byte) in classBytes.enumerated() {
            let f = w.data.normalization.table[Int(byte)] + 10
            try set("head.weight", j * 4, 20 * 2 * f)  // head.weight is [classes, 4 channels]
            try set("head.bias", j, -20 * f * f)
        }
        return p
    }

    @Test func aPerfectClassifierScoresOneAndPermutedOrConstantOnesScoreTheirShare() throws {
        let w = try Self.constructedWorkload()
        let perfect = try Self.nearestFeatureClassifier(w)
        let metrics = w.evaluate(perfect)
        #expect(metrics.validationMetric == 1 && metrics.testMetric == 1)
        #expect(metrics.trainLoss.isFinite && metrics.trainLoss < 0.1)
        // Swapping the head rows of classes 0 and 1 misclassifies exactly those two classes.
        var swapped = perfect
        let head = try #require(w.info.layout.view(named: "head.weight")), bias = try #require(w.info.layout.view(named: "head.bias"))
        for k in 0..<4 { swapped.values.swapAt(head.offset + k, head.offset + 4 + k) }
        swapped.values.swapAt(bias.offset, bias.offset + 1)
        #expect(w.evaluate(swapped).validationMetric == 0.5)
        // All-zero parameters: uniform logits, loss log 4, the first class always (a quarter right).
        let zero = ParameterSet(layout: w.info.layout)
        let chance = w.evaluate(zero)
        #expect(abs(chance.trainLoss - log(4)) < 1e-6)
        #expect(chance.validationMetric == 0.25 && chance.testMetric == 0.25)
        var constant = zero
        constant.values[bias.offset + 2] = 1
        #expect(w.evaluate(constant).testMetric == 0.25)
    }

    @Test func evaluationIsIndependentOfTheChunking() throws {
        // 300 validation images span two chunks of 250: the accuracy and train loss must
        // equal a single-pass computation.
        let w = try Self.small(["validation_examples": .number(300), "train_eval_examples": .number(120)])
        let p = Self.perturbed(w, seed: 3)
        let metrics = w.evaluate(p)
        let validation = w.validationSet
        let logits = w.model.logits(p, validation.images)
        let labels = Tensor(shape: [300], scalars: validation.labels.map { Float($0) })
        let correct = SoftmaxCrossEntropy.correctCount(logits: logits, labels: labels)
        #expect(metrics.validationMetric == Double(correct) / 300)
        let train = w.data.train.batch(0..<120, normalization: w.data.normalization)
        #expect(abs(metrics.trainLoss - Double(w.loss(p, batch: train))) < 1e-5)
    }

    // MARK: - Stream and batches

    @Test func streamServesEveryTrainingImageOncePerEpochWithBalancedLabels() throws {
        let w = try Self.small(["crop_padding": .number(0), "horizontal_flip": .bool(false)])
        let stream = w.makeDataStream(seed: 3)
        let all = w.data.train.batch(0..<120, normalization: w.data.normalization)
        let e = 3 * 64
        var expected: [[Float]: Int] = [:]
        for i in 0..<120 { expected[Array(all.images.scalars[(i * e)..<((i + 1) * e)]), default: 0] += 1 }
        var seen: [[Float]: Int] = [:]
        var labelCounts = [Int](repeating: 0, count: 10)
        for size in [50, 50, 20] {
            let batch = stream.nextBatch(size: size)
            #expect(batch.images.shape == [size, 3, 8, 8])
            for i in 0..<size { seen[Array(batch.images.scalars[(i * e)..<((i + 1) * e)]), default: 0] += 1 }
            for label in batch.labels { labelCounts[Int(label)] += 1 }
        }
        #expect(seen == expected)
        #expect(labelCounts == [Int](repeating: 12, count: 10))
        #expect(stream.nextBatch(size: 300).count == 300)  // larger than an epoch: wraps around
    }

    @Test func splitCutsTheBatchIntoDisjointParts() throws {
        let w = try Self.small()
        let batch = w.makeDataStream(seed: 3).nextBatch(size: 10)
        let parts = w.split(batch, into: 3)
        #expect(parts.map(\.count) == [3, 3, 4])
        #expect(parts.flatMap(\.labels) == batch.labels)
        #expect(parts.flatMap(\.images.scalars) == batch.images.scalars)
        #expect(w.exampleCount(of: batch) == 10)
    }

    @Test(arguments: [nil, "cnn_gelu"] as [String?])
    func adamLowersTheLossAndBeatsChance(variant: String?) throws {
        let w = try Self.small(variant: variant, [
            "image_size": .number(16), "width": .number(4), "classes": .number(4), "crop_padding": .number(2), "stem_stride": .number(1),
            "clutter_objects": .number(0), "pixel_noise_std": .number(0), "colour_jitter": .number(0),
            "train_examples": .number(400), "validation_examples": .number(200), "train_eval_examples": .number(200),
        ])
        let before = w.evaluate(w.initialParameters(seed: 1))
        let final = WorkloadTestSupport.adam(w, seed: 1, steps: 250, learningRate: 0.01, batchSize: 32)
        let after = w.evaluate(final)
        #expect(after.trainLoss < 0.8 * before.trainLoss, "train loss \(before.trainLoss) → \(after.trainLoss)")
        #expect(after.validationMetric > 0.4, "validation accuracy \(after.validationMetric) (chance 0.25)")
    }

    // MARK: - Spec

    @Test func realSpecHasTheVariantsTheIssueAsksFor() throws {
        let spec = try WorkloadTestSupport.realSpec("cnn")
        #expect(spec.metric == "accuracy" && spec.direction == .maximize && spec.lossType == .softmaxCrossEntropy)
        // Base and both variants calibrated, each with the record of its calibration.
        #expect(([spec] + spec.variants).allSatisfy { !$0.provisional && $0.calibration != nil })
        let settings = try CNNSettings(spec: spec)
        #expect(settings.imageSize == 32 && settings.classes == 10 && settings.activation == .relu)
        let wide = try CNNSettings(spec: try #require(spec.variants.first { $0.name == "cnn_wide" }))
        let gelu = try CNNSettings(spec: try #require(spec.variants.first { $0.name == "cnn_gelu" }))
        #expect(wide.width > settings.width && wide.activation == .relu)
        #expect(gelu.activation == .gelu && gelu.width == settings.width)
        #expect(spec.variants.allSatisfy { $0.variantOf == "cnn" })
    }

    @Test func specDocumentsTheModelsForwardFlops() throws {
        let spec = try WorkloadTestSupport.realSpec("cnn")
        for s in [spec] + spec.variants {
            let settings = try CNNSettings(spec: s)
            #expect(CNNModel(settings: settings).forwardFlopsPerImage == settings.flopsPerImage, "\(s.name)")
        }
    }

    @Test func registryBuildsTheWorkload() throws {
        let w = try WorkloadRegistry.make(Self.smallSpec(variant: "cnn_wide"))
        #expect(w is CNNWorkload)
        #expect(w.info.name == "cnn_wide" && w.info.lossType == .softmaxCrossEntropy && w.info.trainingExamples == 120)
    }

    @Test func unknownOrMistypedSettingsAreRejectedNamingTheField() throws {
        var spec = try WorkloadTestSupport.realSpec("cnn")
        spec.settings["widht"] = .number(3)
        #expect { try CNNWorkload(spec: spec) } throws: { "\($0)".contains("settings.widht") && "\($0)".contains("cnn.json") }
        spec = try WorkloadTestSupport.realSpec("cnn")
        spec.settings["activation"] = .string("tanh")
        #expect { try CNNWorkload(spec: spec) } throws: { "\($0)".contains("settings.activation") && "\($0)".contains("tanh") }
        spec = try WorkloadTestSupport.realSpec("cnn")
        spec.settings["crop_padding"] = .number(40)
        #expect { try CNNWorkload(spec: spec) } throws: { "\($0)".contains("crop_padding") }
        spec = try WorkloadTestSupport.realSpec("cnn")
        spec.settings["classes"] = .number(11)
        #expect { try CNNWorkload(spec: spec) } throws: { "\($0)".contains("classes") }
        spec = try WorkloadTestSupport.realSpec("cnn")
        spec.settings["horizontal_flip"] = .number(1)
        #expect { try CNNWorkload(spec: spec) } throws: { "\($0)".contains("horizontal_flip") }
    }
}
