import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

/// Calibration probes of the `cnn` workload (OPTBENCH_CALIBRATE=1; meant for a release
/// build, `swift test -c release -Xswiftc -enable-testing --filter CNNCalibrationTests`).
/// They print measurements and fail only when the measured run contradicts the spec.
///
/// `OPTBENCH_CNN_OVERRIDES` (a JSON object of settings) and `OPTBENCH_CNN_BUDGET`
/// (seconds of training, default the spec's `max_runtime_s`) vary the probed instance;
/// `OPTBENCH_CNN_RATES` (comma-separated) the learning rates, `OPTBENCH_CNN_BATCH` the batch size.
@Suite(.enabled(if: WorkloadTestSupport.calibrationEnabled), .serialized)
struct CNNCalibrationTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static func probedSpec(_ name: String) throws -> WorkloadSpec {
        let base = try WorkloadTestSupport.realSpec("cnn")
        var spec = name == base.name ? base : try #require(base.variants.first { $0.name == name })
        if let text = environment["OPTBENCH_CNN_OVERRIDES"] {
            guard case .object(let fields) = try JSONValue.parse(Data(text.utf8), source: "OPTBENCH_CNN_OVERRIDES") else {
                throw InputError(source: "OPTBENCH_CNN_OVERRIDES", field: nil, message: "must be a JSON object")
            }
            for (key, value) in fields { spec.settings[key] = value }
        }
        if let batch = environment["OPTBENCH_CNN_BATCH"].flatMap(Int.init) { spec.defaultBatchSize = batch }
        return spec
    }

    /// Adam (β = 0.9, 0.999) with decoupled weight decay 5e-4 on matrix-like parameters,
    /// linear warm-up over 5% of the steps then cosine decay, for `seconds` of training
    /// time (evaluations excluded); prints the validation accuracy every ~10% of the run.
    /// Returns (best validation accuracy, training seconds at which each accuracy in
    /// `thresholds` was first reached).
    static func adamW<W: Workload>(
        _ w: W, seconds: Double, learningRate: Float, stepTime: Double, label: String, thresholds: [Double]
    ) -> (best: Double, reached: [Double?]) {
        let steps = max(Int(seconds / stepTime), 10)
        var p = w.initialParameters(seed: 1)
        let stream = w.makeDataStream(seed: 1)
        var g = ParameterSet.zeros(like: p)
        var m = [Float](repeating: 0, count: p.values.count), v = m
        let decayMask = p.views.flatMap { view in [Float](repeating: view.kind.isMatrixLike ? 1 : 0, count: view.count) }
        let warmup = max(steps / 20, 1)
        var best = 0.0
        var reached = [Double?](repeating: nil, count: thresholds.count)
        var trainingTime = 0.0
        var resume = Date()
        for t in 1...steps {
            let batch = stream.nextBatch(size: w.info.defaultBatchSize)
            let loss = w.lossAndGradient(p, batch: batch, into: &g)
            guard loss.isFinite else {
                print("\(label): diverged at step \(t)")
                return (best, reached)
            }
            let progress = Double(t - warmup) / Double(max(steps - warmup, 1))
            let rate = t <= warmup ? learningRate * Float(t) / Float(warmup) : learningRate * Float(0.5 * (1 + cos(Double.pi * progress)))
            let c1 = 1 - pow(Float(0.9), Float(t)), c2 = 1 - pow(Float(0.999), Float(t))
            for i in p.values.indices {
                m[i] = 0.9 * m[i] + 0.1 * g.values[i]
                v[i] = 0.999 * v[i] + 0.001 * g.values[i] * g.values[i]
                p.values[i] -= rate * ((m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8) + 5e-4 * decayMask[i] * p.values[i])
            }
            if t % max(steps / 10, 1) == 0 || t == steps {
                trainingTime += Date().timeIntervalSince(resume)
                let metrics = w.evaluate(p)
                best = max(best, metrics.validationMetric)
                for (k, threshold) in thresholds.enumerated() where reached[k] == nil && metrics.validationMetric >= threshold {
                    reached[k] = trainingTime
                }
                print(String(format: "%@ lr %.4g step %d/%d train %.1f s: train loss %.4f, validation %.4f, test %.4f",
                             label, learningRate, t, steps, trainingTime, metrics.trainLoss, metrics.validationMetric, metrics.testMetric))
                resume = Date()
            }
        }
        return (best, reached)
    }

    @Test(arguments: ["cnn", "cnn_wide", "cnn_gelu"])
    func adamWReachesTheTargetWithinTheBudget(name: String) throws {
        guard Self.environment["OPTBENCH_CNN_ONLY"].map({ $0 == name }) ?? true else { return }
        let spec = try Self.probedSpec(name)
        let start = Date()
        let w = try CNNWorkload(spec: spec)
        let build = Date().timeIntervalSince(start)
        let stepTime = WorkloadTestSupport.stepTime(w, steps: 20)
        let flops = Double(w.forwardFlopsPerImage)
        print(String(format: "%@: data %.2f s, %d parameters, %.2f MFLOP forward per image, step %.1f ms at batch %d (%.0f images/s, %.1f GFLOP/s at 3× forward)",
                     name, build, w.info.layout.count, flops / 1e6, stepTime * 1e3, w.info.defaultBatchSize,
                     Double(w.info.defaultBatchSize) / stepTime, 3 * flops * Double(w.info.defaultBatchSize) / stepTime / 1e9))
        let seconds = Self.environment["OPTBENCH_CNN_BUDGET"].flatMap(Double.init) ?? spec.maxRuntimeSeconds
        let rates = Self.environment["OPTBENCH_CNN_RATES"].map { $0.split(separator: ",").compactMap { Float(String($0)) } } ?? [0.001, 0.003, 0.01]
        var anyReached = false
        for rate in rates {
            let (best, reached) = Self.adamW(w, seconds: seconds, learningRate: rate, stepTime: stepTime, label: name, thresholds: [spec.validationTarget])
            print("\(name) lr \(rate): best validation \(best), target \(spec.validationTarget) reached at \(reached[0].map { String(format: "%.1f s", $0) } ?? "never")")
            if reached[0] != nil { anyReached = true }
        }
        #expect(anyReached, "\(name): no learning rate reached the validation target \(spec.validationTarget) in \(seconds) s")
    }

    /// Softmax regression on the raw normalised pixels (same augmented stream, AdamW, same
    /// budget): the baseline the CNN must beat clearly.
    @Test func linearModelOnPixels() throws {
        guard Self.environment["OPTBENCH_CNN_ONLY"].map({ $0 == "linear" }) ?? true else { return }
        let w = try LinearProbe(spec: Self.probedSpec("cnn"))
        let stepTime = WorkloadTestSupport.stepTime(w, steps: 20)
        let seconds = Self.environment["OPTBENCH_CNN_BUDGET"].flatMap(Double.init) ?? w.spec.maxRuntimeSeconds
        for rate: Float in [0.0003, 0.001, 0.003] {
            let (best, _) = Self.adamW(w, seconds: seconds, learningRate: rate, stepTime: stepTime, label: "linear", thresholds: [])
            print("linear on pixels lr \(rate): best validation accuracy \(best)")
        }
    }
}

/// The `cnn` data with a linear classifier on flattened pixels in place of the CNN.
final class LinearProbe: Workload {
    typealias Batch = CNNBatch
    let inner: CNNWorkload
    let linear: Linear
    let layout: ParameterLayout
    var spec: WorkloadSpec { inner.spec }
    var info: WorkloadInfo {
        WorkloadInfo(name: "linear", layout: layout, lossType: .softmaxCrossEntropy, defaultBatchSize: inner.info.defaultBatchSize, stepHint: 1, trainingExamples: nil)
    }

    init(spec: WorkloadSpec) throws {
        inner = try CNNWorkload(spec: spec)
        var layout = ParameterLayout()
        let s = inner.settings
        linear = Linear("linear", inputFeatures: 3 * s.imageSize * s.imageSize, outputFeatures: s.classes, initialization: .zeros, layout: &layout)
        self.layout = layout
    }

    func initialParameters(seed: UInt64) -> ParameterSet { ParameterSet(layout: layout) }
    func makeDataStream(seed: UInt64) -> CNNWorkload.Stream { inner.makeDataStream(seed: seed) }

    private func logits(_ p: ParameterSet, _ images: Tensor) -> Tensor {
        linear.forward(images.reshaped(to: [images.shape[0], images.count / images.shape[0]]), parameters: p)
    }

    private func labels(_ batch: CNNBatch) -> Tensor { Tensor(shape: [batch.count], scalars: batch.labels.map { Float($0) }) }

    func lossAndGradient(_ parameters: ParameterSet, batch: CNNBatch, into gradient: inout ParameterSet) -> Float {
        gradient = ParameterSet.zeros(like: parameters)
        let (loss, dz) = SoftmaxCrossEntropy().lossAndGradient(prediction: logits(parameters, batch.images), target: labels(batch))
        _ = linear.backward(dz, parameters: parameters, gradient: &gradient)
        return loss
    }

    func loss(_ parameters: ParameterSet, batch: CNNBatch) -> Float {
        SoftmaxCrossEntropy().loss(prediction: logits(parameters, batch.images), target: labels(batch))
    }

    func hessianVectorProduct(_ parameters: ParameterSet, batch: CNNBatch, vector: ParameterSet, into result: inout ParameterSet) {
        finiteDifferenceHessianVectorProduct(parameters, batch: batch, vector: vector, into: &result)
    }

    func exampleCount(of batch: CNNBatch) -> Int { batch.count }
    func split(_ batch: CNNBatch, into parts: Int) -> [CNNBatch] { [batch] }

    func evaluate(_ parameters: ParameterSet) -> Metrics {
        func accuracy(_ batch: CNNBatch) -> Double {
            Double(SoftmaxCrossEntropy.correctCount(logits: logits(parameters, batch.images), labels: labels(batch))) / Double(batch.count)
        }
        return Metrics(trainLoss: 0, validationMetric: accuracy(inner.validationSet), testMetric: accuracy(inner.testSet))
    }
}
