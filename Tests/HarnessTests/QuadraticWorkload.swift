import Core
import Foundation
import NN
import Tensor

/// A tiny seeded workload for harness tests: minimise E‖θ − x‖² over x ~ N(μ, 0.01·I) in 4
/// dimensions. The validation metric is ‖θ − μ‖², so the optimum 0 is known, and the
/// evaluation can be made deliberately slow to test the clock.
final class QuadraticWorkload: Workload {
    typealias Batch = [[Float]]

    final class Stream: DataStream {
        var generator: RandomGenerator
        let center: [Float]
        init(seed: UInt64, center: [Float]) {
            generator = RandomGenerator(seed: seed)
            self.center = center
        }
        func nextBatch(size: Int) -> [[Float]] {
            (0..<size).map { _ in center.map { $0 + 0.1 * generator.nextNormal() } }
        }
    }

    let spec: WorkloadSpec
    let info: WorkloadInfo
    let center: [Float] = [1, -2, 0.5, 3]
    let evaluationDelay: Double
    let view: ParameterView

    init(target: Double = 1e-3, maxRuntimeSeconds: Double = 5, evalPeriodSeconds: Double = 0.01, evaluationDelay: Double = 0) {
        var layout = ParameterLayout()
        view = layout.add("theta", shape: [4], kind: .bias)
        spec = WorkloadSpec(
            name: "quadratic", settings: [:], defaultBatchSize: 8, lossType: .meanSquaredError, metric: "distance",
            direction: .minimize, validationTarget: target, testTarget: target, maxRuntimeSeconds: maxRuntimeSeconds,
            evalPeriodSeconds: evalPeriodSeconds, stepHint: 200, provisional: true)
        info = WorkloadInfo(
            name: "quadratic", layout: layout, lossType: .meanSquaredError, defaultBatchSize: 8, stepHint: 200,
            trainingExamples: nil)
        self.evaluationDelay = evaluationDelay
    }

    func initialParameters(seed: UInt64) -> ParameterSet { ParameterSet(layout: info.layout) }
    func makeDataStream(seed: UInt64) -> Stream { Stream(seed: seed, center: center) }

    func lossAndGradient(_ parameters: ParameterSet, batch: Batch, into gradient: inout ParameterSet) -> Float {
        var total: Float = 0
        gradient.values = [Float](repeating: 0, count: 4)
        for x in batch {
            for j in 0..<4 {
                let d = parameters.values[j] - x[j]
                total += d * d
                gradient.values[j] += 2 * d / Float(batch.count)
            }
        }
        return total / Float(batch.count)
    }

    func loss(_ parameters: ParameterSet, batch: Batch) -> Float {
        var g = ParameterSet.zeros(like: parameters)
        return lossAndGradient(parameters, batch: batch, into: &g)
    }

    func hessianVectorProduct(_ parameters: ParameterSet, batch: Batch, vector: ParameterSet, into result: inout ParameterSet) {
        result.values = vector.values.map { 2 * $0 }
    }

    func exampleCount(of batch: Batch) -> Int { batch.count }

    func split(_ batch: Batch, into parts: Int) -> [Batch] {
        (0..<parts).map { p in Array(batch[(p * batch.count / parts)..<((p + 1) * batch.count / parts)]) }
    }

    func evaluate(_ parameters: ParameterSet) -> Metrics {
        if evaluationDelay > 0 { Thread.sleep(forTimeInterval: evaluationDelay) }
        let distance = zip(parameters.values, center).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        return Metrics(trainLoss: distance + 0.04, validationMetric: distance, testMetric: distance)
    }
}

/// Plain SGD with a fixed rate, for harness tests.
struct FixedRateSGD: Submission {
    static let name = "fixed_rate_sgd"
    static let searchSpace = SearchSpace(["learning_rate": .range(min: 1e-3, max: 1, scaling: .log)])
    static let defaultHyperparameters = Hyperparameters(["learning_rate": 0.1])
    let rate: Float
    var gradient: ParameterSet

    init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        rate = Float(try hyperparameters.value("learning_rate"))
        gradient = ParameterSet(layout: info.layout)
    }

    mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        for i in parameters.values.indices { parameters.values[i] -= rate * gradient.values[i] }
    }

    var stateBytes: Int { 0 }
}

/// A submission whose step throws after a few steps.
struct FailingSubmission: Submission {
    struct Failure: Error, CustomStringConvertible { var description: String { "deliberate failure" } }
    static let name = "failing"
    static let searchSpace = SearchSpace(fixedPoints: [Hyperparameters()])
    static let defaultHyperparameters = Hyperparameters()
    init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {}
    mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        if context.step == 3 { throw Failure() }
        var g = ParameterSet.zeros(like: parameters)
        oracle.gradient(at: parameters, into: &g)
    }
    var stateBytes: Int { 0 }
}
