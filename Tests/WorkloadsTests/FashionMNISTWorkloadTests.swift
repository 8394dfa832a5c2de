import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

/// The `fashion_mnist` workload on generated quadrant images (8×8, 4 classes, tiny 2c2d):
/// gradients, hand-built perfect and constant predictors, a short training run; the real
/// spec's settings and variant.
@Suite struct FashionMNISTWorkloadTests {
    typealias Fixtures = RealDataFixtures

    static func small(activation: String = "relu", channels: (Int, Int, Int) = (2, 3, 5)) throws -> FashionMNISTWorkload {
        var (spec, _) = try Fixtures.fashionSpec(channels: channels)
        spec.settings["activation"] = .string(activation)
        return try FashionMNISTWorkload(spec: spec)
    }

    /// The GELU network, two images, a step of 3e-3: ReLU kinks, and max-pool windows whose
    /// winner changes within the step (seen with six images at 1e-2 and 3e-3: differences
    /// jumping between step sizes while the analytic value stays), would make central
    /// differences unreliable; fewer windows leave fewer near-ties.
    @Test func gradientMatchesCentralDifferences() throws {
        let w = try Self.small(activation: "gelu")
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 2)
        WorkloadTestSupport.checkGradient(w, parameters: p, batch: batch, samples: 80, step: 3e-3, tolerance: 2e-2)
    }

    @Test func gradientOverwritesTheBufferAndLossAgrees() throws {
        let w = try Self.small()
        let p = w.initialParameters(seed: 3)
        let batch = w.makeDataStream(seed: 4).nextBatch(size: 5)
        var g = ParameterSet.zeros(like: p)
        g.values.withUnsafeMutableBufferPointer { $0.update(repeating: 7) }
        let first = w.lossAndGradient(p, batch: batch, into: &g)
        var fresh = ParameterSet.zeros(like: p)
        _ = w.lossAndGradient(p, batch: batch, into: &fresh)
        #expect(g.values == fresh.values)
        #expect(first == w.loss(p, batch: batch))
        #expect(abs(Double(first) - log(4)) < 0.7, "initial loss \(first), log 4 = \(log(4.0))")
    }

    /// One channel per convolution with only its centre tap on (the identity), ReLU and
    /// pooling reduce each image to its four quadrant maxima, which are positive exactly in
    /// the lit quadrant; identity dense layers and a large output scale turn that into a
    /// confident correct prediction for every image.
    @Test func aConstructedPerfectPredictorScoresOne() throws {
        let w = try Self.small(channels: (1, 1, 4))
        var p = ParameterSet(layout: w.model.layout)
        func set(_ name: String, _ values: [Float]) throws {
            let view = try #require(p.views.first { $0.name == name }, "no parameter \(name)")
            #expect(view.count == values.count)
            p.withUnsafeMutableBufferPointer(view) { buffer in for i in values.indices { buffer[i] = values[i] } }
        }
        let centreTap = (0..<25).map { $0 == 12 ? Float(1) : 0 }
        try set("conv1.weight", centreTap)
        try set("conv2.weight", centreTap)
        let identity = (0..<16).map { $0 % 5 == 0 ? Float(1) : 0 }
        try set("fc1.weight", identity)
        try set("fc2.weight", identity.map { 50 * $0 })
        let metrics = w.evaluate(p)
        #expect(metrics.validationMetric == 1 && metrics.testMetric == 1)
        #expect(metrics.trainLoss < 1e-6, "train loss \(metrics.trainLoss)")
    }

    /// Zero weights and an output bias `b`: every image gets the logits `b`, so accuracy is
    /// the share of the most likely class and the loss the mean of `−log softmax(b)[label]`.
    @Test func aConstantPredictorScoresItsClassShare() throws {
        let w = try Self.small()
        var p = ParameterSet(layout: w.model.layout)
        let bias: [Float] = [0.5, 2, -1, 0]
        let view = try #require(p.views.first { $0.name == "fc2.bias" })
        p.withUnsafeMutableBufferPointer(view) { buffer in for i in bias.indices { buffer[i] = bias[i] } }
        let logNormalizer = log(bias.map { exp(Double($0)) }.reduce(0, +))
        func expected(_ labels: [Int32]) -> (loss: Double, accuracy: Double) {
            let loss = labels.map { logNormalizer - Double(bias[Int($0)]) }.reduce(0, +) / Double(labels.count)
            return (loss, Double(labels.filter { $0 == 1 }.count) / Double(labels.count))
        }
        let metrics = w.evaluate(p)
        #expect(metrics.validationMetric == expected(w.data.validation.labels).accuracy)
        #expect(metrics.testMetric == expected(w.data.test.labels).accuracy)
        #expect(abs(metrics.trainLoss - expected(Array(w.data.train.labels.prefix(10))).loss) < 1e-5)
    }

    @Test func adamLearnsTheQuadrants() throws {
        let w = try Self.small(channels: (4, 4, 8))
        let before = w.evaluate(w.initialParameters(seed: 1))
        let final = WorkloadTestSupport.adam(w, seed: 1, steps: 150, learningRate: 0.01, batchSize: 16)
        let after = w.evaluate(final)
        #expect(after.trainLoss < 0.3 * before.trainLoss, "train loss \(before.trainLoss) → \(after.trainLoss)")
        #expect(after.validationMetric >= 0.75, "validation accuracy \(after.validationMetric) (chance 0.25)")
    }

    @Test func theStreamIsSeededAndServesTrainingImagesOnly() throws {
        let w = try Self.small()
        let a = w.makeDataStream(seed: 9).nextBatch(size: 32), b = w.makeDataStream(seed: 9).nextBatch(size: 32)
        #expect(a == b && a.images.shape == [32, 1, 8, 8])
        #expect(a.labels.sorted() == w.data.train.labels.sorted())  // one epoch = the 32 training images
        #expect(w.makeDataStream(seed: 10).nextBatch(size: 32) != a)
        #expect(w.info.trainingExamples == 32)
    }

    // MARK: - Spec

    @Test func realSpecReadsAsDeepOBS2c2dWithAHeldOutVariant() throws {
        let spec = try WorkloadTestSupport.realSpec("fashion_mnist")
        #expect(spec.metric == "accuracy" && spec.direction == .maximize && spec.lossType == .softmaxCrossEntropy)
        let s = try FashionMNISTSettings(spec: spec)
        #expect(s.trainExamples == 55_000 && s.validationExamples == 5_000 && s.testExamples == 10_000)
        #expect(s.imageSize == 28 && s.classes == 10 && s.dataFolder == "/usr/share/datasets/fashion-mnist")
        #expect(s.conv1Channels == 32 && s.conv2Channels == 64 && s.hiddenUnits == 1024 && s.activation == .relu)
        let variant = try #require(spec.variants.first { $0.name == "fashion_mnist_gelu_wide" })
        let v = try FashionMNISTSettings(spec: variant)
        #expect(v.activation == .gelu && v.hiddenUnits == 2 * s.hiddenUnits && variant.variantOf == "fashion_mnist")
    }

    @Test func specDocumentsTheModelsForwardFlops() throws {
        let spec = try WorkloadTestSupport.realSpec("fashion_mnist")
        for candidate in [spec] + spec.variants {
            let settings = try FashionMNISTSettings(spec: candidate)
            #expect(FashionMNISTModel(settings: settings).forwardFlopsPerImage == settings.flopsPerImage, "\(candidate.name)")
        }
    }

    @Test func badSettingsNameTheField() throws {
        var spec = try WorkloadTestSupport.realSpec("fashion_mnist")
        spec.settings["train_images_sha256"] = .string("ABC")
        let digest = try #require(Fixtures.inputError { _ = try FashionMNISTSettings(spec: spec) })
        #expect(digest.field == "settings.train_images_sha256" && digest.message.contains("64 lowercase hex digits"))
        spec = try WorkloadTestSupport.realSpec("fashion_mnist")
        spec.settings["validation_examples"] = .number(60_000)
        let split = try #require(Fixtures.inputError { _ = try FashionMNISTSettings(spec: spec) })
        #expect(split.field == "settings.validation_examples")
    }
}
