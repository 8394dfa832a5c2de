import Core
import Foundation
import NN
import Tensor
import Testing

/// A small seeded regression workload in the form of the `regression` workload's `mlp`
/// variant (tanh hidden layer, linear head, mean squared error without ½), with several
/// outputs so that both weight matrices have rank > 1. Forward and backward are plain
/// loops: the tests compare optimizers, not speed.
final class ToyRegression: Workload {
    struct Batch { var inputs: [Float]; var targets: [Float]; var count: Int }

    final class Stream: DataStream {
        var generator: RandomGenerator
        let data: ToyRegression
        init(data: ToyRegression, seed: UInt64) {
            self.data = data
            generator = RandomGenerator(seed: seed)
        }
        func nextBatch(size: Int) -> Batch {
            var batch = Batch(inputs: [], targets: [], count: size)
            for _ in 0..<size {
                let i = generator.nextInt(below: data.examples)
                batch.inputs += data.inputs[(i * data.features)..<((i + 1) * data.features)]
                batch.targets += data.targets[(i * data.outputs)..<((i + 1) * data.outputs)]
            }
            return batch
        }
    }

    let features: Int, hidden: Int, outputs: Int, examples: Int
    let spec: WorkloadSpec
    let info: WorkloadInfo
    let inputs: [Float], targets: [Float]
    /// Hidden layer (absent in the linear form) and head.
    let w1: ParameterView?, b1: ParameterView?, w2: ParameterView, b2: ParameterView

    /// `hidden = 0` gives the linear model (weight `outputs × features` and bias only).
    init(features: Int = 12, hidden: Int = 8, outputs: Int = 3, examples: Int = 256, stepHint: Int = 200) {
        self.features = features
        self.hidden = hidden
        self.outputs = outputs
        self.examples = examples
        var layout = ParameterLayout()
        let width = hidden > 0 ? hidden : features
        if hidden > 0 {
            w1 = layout.add("hidden.weight", shape: [hidden, features], kind: .weight)
            b1 = layout.add("hidden.bias", shape: [hidden], kind: .bias)
        } else {
            w1 = nil
            b1 = nil
        }
        w2 = layout.add("output.weight", shape: [outputs, width], kind: .weight)
        b2 = layout.add("output.bias", shape: [outputs], kind: .bias)
        spec = WorkloadSpec(
            name: "toy_regression", settings: [:], defaultBatchSize: 16, lossType: .meanSquaredError, metric: "mse",
            direction: .minimize, validationTarget: 0, testTarget: 0, maxRuntimeSeconds: 5, evalPeriodSeconds: 1,
            stepHint: stepHint, provisional: true)
        info = WorkloadInfo(
            name: "toy_regression", layout: layout, lossType: .meanSquaredError, defaultBatchSize: 16,
            stepHint: stepHint, trainingExamples: examples)
        var generator = RandomGenerator("toy_regression", .integer(features), .integer(hidden), .integer(outputs))
        var x = [Float](repeating: 0, count: examples * features)
        x.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
        var teacher = [Float](repeating: 0, count: outputs * features)
        teacher.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 1 / Float(features).squareRoot()) }
        var y = [Float](repeating: 0, count: examples * outputs)
        for n in 0..<examples {
            for o in 0..<outputs {
                var s: Float = 0
                for f in 0..<features { s += teacher[o * features + f] * x[n * features + f] }
                y[n * outputs + o] = tanh(s) + 0.1 * generator.nextNormal()
            }
        }
        inputs = x
        targets = y
    }

    func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "toy.init"))
        var p = ParameterSet(layout: info.layout)
        for view in p.views where view.kind == .weight {
            let fanIn = Float(view.shape[1])
            p.withUnsafeMutableBufferPointer(view) { generator.fillNormal($0, standardDeviation: 1 / fanIn.squareRoot()) }
        }
        return p
    }

    func makeDataStream(seed: UInt64) -> Stream { Stream(data: self, seed: StableHash.derive(seed, "toy.stream")) }

    func lossAndGradient(_ parameters: ParameterSet, batch: Batch, into gradient: inout ParameterSet) -> Float {
        gradient.values = [Float](repeating: 0, count: parameters.values.count)
        let p = parameters.values
        let n = batch.count
        let width = hidden > 0 ? hidden : features
        var total: Float = 0
        var h = [Float](repeating: 0, count: width)
        for e in 0..<n {
            let x = Array(batch.inputs[(e * features)..<((e + 1) * features)])
            if let w1, let b1 {
                for j in 0..<hidden {
                    var s = p[b1.offset + j]
                    for f in 0..<features { s += p[w1.offset + j * features + f] * x[f] }
                    h[j] = tanh(s)
                }
            } else {
                h = x
            }
            var dh = [Float](repeating: 0, count: width)
            for o in 0..<outputs {
                var s = p[b2.offset + o]
                for j in 0..<width { s += p[w2.offset + o * width + j] * h[j] }
                let r = s - batch.targets[e * outputs + o]
                total += r * r
                let d = 2 * r / Float(n)
                gradient.values[b2.offset + o] += d
                for j in 0..<width {
                    gradient.values[w2.offset + o * width + j] += d * h[j]
                    dh[j] += d * p[w2.offset + o * width + j]
                }
            }
            if let w1, let b1 {
                for j in 0..<hidden {
                    let dz = dh[j] * (1 - h[j] * h[j])
                    gradient.values[b1.offset + j] += dz
                    for f in 0..<features { gradient.values[w1.offset + j * features + f] += dz * x[f] }
                }
            }
        }
        return total / Float(n)
    }

    func loss(_ parameters: ParameterSet, batch: Batch) -> Float {
        var g = ParameterSet.zeros(like: parameters)
        return lossAndGradient(parameters, batch: batch, into: &g)
    }

    func hessianVectorProduct(_ parameters: ParameterSet, batch: Batch, vector: ParameterSet, into result: inout ParameterSet) {
        finiteDifferenceHessianVectorProduct(parameters, batch: batch, vector: vector, into: &result)
    }

    func exampleCount(of batch: Batch) -> Int { batch.count }

    func split(_ batch: Batch, into parts: Int) -> [Batch] {
        (0..<parts).map { k in
            let range = (k * batch.count / parts)..<((k + 1) * batch.count / parts)
            return Batch(
                inputs: Array(batch.inputs[(range.lowerBound * features)..<(range.upperBound * features)]),
                targets: Array(batch.targets[(range.lowerBound * outputs)..<(range.upperBound * outputs)]),
                count: range.count)
        }
    }

    func evaluate(_ parameters: ParameterSet) -> Metrics {
        let all = Batch(inputs: inputs, targets: targets, count: examples)
        let value = Double(loss(parameters, batch: all))
        return Metrics(trainLoss: value, validationMetric: value, testMetric: value)
    }

    /// Mean loss over the whole training set.
    func fullLoss(_ parameters: ParameterSet) -> Double { evaluate(parameters).trainLoss }
}

/// A layout-only workload for state accounting and shape handling: the noisy quadratic
/// `½ Σ (θ_i − c_i − ξ_i)²` over an arbitrary parameter layout (matrices of any size,
/// 4-D convolution kernels), ξ ~ N(0, 0.01) per batch.
final class LayoutQuadratic: Workload {
    typealias Batch = [Float]

    final class Stream: DataStream {
        var generator: RandomGenerator
        let count: Int
        init(count: Int, seed: UInt64) {
            self.count = count
            generator = RandomGenerator(seed: seed)
        }
        func nextBatch(size: Int) -> [Float] {
            var noise = [Float](repeating: 0, count: count)
            noise.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 0.1 / Float(size).squareRoot()) }
            return noise
        }
    }

    let spec: WorkloadSpec
    let info: WorkloadInfo
    let center: [Float]

    /// `centerScale` is the standard deviation of the optimum's coordinates.
    init(_ shapes: [(String, [Int], ParameterKind)], stepHint: Int = 100, centerScale: Float = 1) {
        var layout = ParameterLayout()
        for (name, shape, kind) in shapes { layout.add(name, shape: shape, kind: kind) }
        spec = WorkloadSpec(
            name: "layout_quadratic", settings: [:], defaultBatchSize: 4, lossType: .custom, metric: "loss",
            direction: .minimize, validationTarget: 0, testTarget: 0, maxRuntimeSeconds: 5, evalPeriodSeconds: 1,
            stepHint: stepHint, provisional: true)
        info = WorkloadInfo(
            name: "layout_quadratic", layout: layout, lossType: .custom, defaultBatchSize: 4, stepHint: stepHint,
            trainingExamples: nil)
        var generator = RandomGenerator("layout_quadratic", .integer(layout.count))
        var c = [Float](repeating: 0, count: layout.count)
        c.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: centerScale) }
        center = c
    }

    func initialParameters(seed: UInt64) -> ParameterSet { ParameterSet(layout: info.layout) }
    func makeDataStream(seed: UInt64) -> Stream { Stream(count: info.layout.count, seed: seed) }

    func lossAndGradient(_ parameters: ParameterSet, batch: Batch, into gradient: inout ParameterSet) -> Float {
        var total = 0.0
        for i in parameters.values.indices {
            let d = parameters.values[i] - center[i] - batch[i]
            gradient.values[i] = d
            total += 0.5 * Double(d * d)
        }
        return Float(total)
    }

    func loss(_ parameters: ParameterSet, batch: Batch) -> Float {
        var g = ParameterSet.zeros(like: parameters)
        return lossAndGradient(parameters, batch: batch, into: &g)
    }

    func hessianVectorProduct(_ parameters: ParameterSet, batch: Batch, vector: ParameterSet, into result: inout ParameterSet) {
        result.values = vector.values
    }

    func exampleCount(of batch: Batch) -> Int { 1 }
    func split(_ batch: Batch, into parts: Int) -> [Batch] { [batch] }

    func evaluate(_ parameters: ParameterSet) -> Metrics {
        let value = zip(parameters.values, center).reduce(0.0) { $0 + 0.5 * Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        return Metrics(trainLoss: value, validationMetric: value, testMetric: value)
    }
}

/// Drives submissions through an `Oracle` the way the harness does: one fresh batch per
/// step, then `step`.
enum SubmissionDriver {
    /// The parameters after `steps` steps of `submission` from the workload's initial
    /// parameters, with the training losses seen, and the submission itself.
    static func run<S: Submission, W: Workload>(
        _ submission: S.Type, on workload: W, hyperparameters: Hyperparameters? = nil, steps: Int,
        stepHint: Int? = nil, seed: UInt64 = 7,
        observe: (_ step: Int, _ before: ParameterSet, _ after: ParameterSet, _ submission: S) throws -> Void = { _, _, _, _ in },
        prepare: (inout S) -> Void = { _ in }
    ) throws -> (parameters: ParameterSet, losses: [Float], submission: S) {
        let hint = stepHint ?? workload.info.stepHint
        var state = try S(
            info: workload.info, hyperparameters: hyperparameters ?? S.defaultHyperparameters,
            budget: Budget(maxRuntimeSeconds: 5, stepHint: hint))
        prepare(&state)
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: seed))
        var parameters = workload.initialParameters(seed: seed)
        var losses: [Float] = []
        for step in 0..<steps {
            oracle.drawBatch()
            let before = parameters
            try state.step(
                &parameters, oracle: oracle,
                context: StepContext(step: step, stepHint: hint, submissionTime: 0, lastEvaluation: nil))
            losses.append(oracle.lastLoss ?? .nan)
            try observe(step, before, parameters, state)
        }
        return (parameters, losses, state)
    }

    /// A short trial with the self-tuning defaults on the toy regression (MLP and linear
    /// forms) and on a layout with a convolution kernel: every loss finite, every final
    /// parameter finite, and the full-data loss lower at the end than at the start.
    static func smokeTrial<S: Submission>(
        _ submission: S.Type, steps: Int = 150, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for workload in [ToyRegression(), ToyRegression(features: 16, hidden: 0, outputs: 1)] {
            let start = workload.fullLoss(workload.initialParameters(seed: 7))
            let run = try run(S.self, on: workload, steps: steps, stepHint: steps)
            #expect(run.losses.allSatisfy { $0.isFinite }, "\(S.name): non-finite training loss", sourceLocation: sourceLocation)
            #expect(run.parameters.values.allSatisfy { $0.isFinite }, "\(S.name): non-finite parameters", sourceLocation: sourceLocation)
            let end = workload.fullLoss(run.parameters)
            #expect(end < start, "\(S.name): loss \(start) → \(end) did not decrease", sourceLocation: sourceLocation)
        }
        let convolutional = LayoutQuadratic([
            ("conv.weight", [6, 3, 3, 3], .convWeight), ("conv.bias", [6], .bias),
            ("head.weight", [4, 24], .weight), ("head.bias", [4], .bias),
        ])
        let start = convolutional.evaluate(convolutional.initialParameters(seed: 7)).trainLoss
        let run = try run(S.self, on: convolutional, steps: steps, stepHint: steps)
        #expect(run.parameters.values.allSatisfy { $0.isFinite }, "\(S.name): non-finite parameters", sourceLocation: sourceLocation)
        let end = convolutional.evaluate(run.parameters).trainLoss
        #expect(end < start, "\(S.name): quadratic loss \(start) → \(end) did not decrease", sourceLocation: sourceLocation)
    }

    /// Largest |a − b| / max(1e-3, |b|) over all coordinates.
    static func maxRelativeDifference(_ a: ParameterSet, _ b: ParameterSet) -> Double {
        zip(a.values, b.values).reduce(0.0) { worst, pair in
            max(worst, Double(abs(pair.0 - pair.1)) / max(1e-3, Double(abs(pair.1))))
        }
    }

    /// One 256×256 weight matrix: the reference layout for state bytes (AdamW: 524,288).
    static func referenceLayout() -> LayoutQuadratic { LayoutQuadratic([("weight", [256, 256], .weight)]) }

    /// State bytes of `S` with its defaults (and `overrides`) on the 256×256 reference matrix.
    static func referenceStateBytes<S: Submission>(_ submission: S.Type, overrides: Hyperparameters = Hyperparameters()) throws -> Int {
        let workload = referenceLayout()
        return try S(
            info: workload.info, hyperparameters: S.defaultHyperparameters.merging(overrides),
            budget: Budget(maxRuntimeSeconds: 5, stepHint: 100)
        ).stateBytes
    }
}
