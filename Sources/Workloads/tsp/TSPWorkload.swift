import Core
import Foundation
import NN
import Tensor

/// Euclidean TSP on uniform random instances with an attention policy trained by REINFORCE
/// with a POMO shared baseline (Kwon et al. 2020).
///
/// Training data: an endless stream of fresh instances (instance `k` of the stream seeded
/// `StableHash.seed("tsp.train", data_seed, stream seed, k)`), each with its own rollout seed.
///
/// Loss (type `custom`): on a batch of `B` instances the policy decodes each instance from
/// each of its `n` start cities, sampling every choice (`TSPPolicy`), which gives tours of
/// length `L_{b,s}` with log-probabilities `ℓ_{b,s} = Σ_t log π(a_t)`. With the baseline
/// `β_b = mean_s L_{b,s}` (`pomo`; `batch`: the mean over the whole batch) the returned loss
/// is the REINFORCE surrogate
///
///     J(θ) = (1 / Bn) Σ_{b,s} (L_{b,s} − β_b) · ℓ_{b,s}(θ)
///
/// evaluated at the sampled actions, whose gradient is the policy-gradient estimate of
/// `∇ E[L]` (descending it shortens expected tours). Its value is a centred covariance, near
/// zero and not a measure of progress; `loss` is the same function (same actions, fixed by
/// the batch's rollout seeds), so a loss-only method sees `J` at its own parameters with
/// actions re-sampled there. Hessian-vector products: central finite differences of gradients.
///
/// Metric (minimise): mean optimality gap `mean_i (L_i / L*_i − 1)` of POMO multi-start greedy
/// decoding (the best of the `n` greedy tours, one per start city) over the fixed validation
/// instances, against Held–Karp optima stored in the reference file; the test metric on the
/// separate test instances. `evaluate`'s train loss is the mean greedy tour length on
/// `train_eval_instances` fixed training-distribution instances.
public final class TSPWorkload: Workload {
    public typealias Batch = TSPBatch

    /// Fresh seeded instances.
    public final class Stream: DataStream {
        private let cities: Int
        private let dataSeed: UInt64
        private let seed: UInt64
        private var next = 0

        init(cities: Int, dataSeed: UInt64, seed: UInt64) {
            self.cities = cities
            self.dataSeed = dataSeed
            self.seed = seed
        }

        public func nextBatch(size: Int) -> TSPBatch {
            precondition(size >= 1, "tsp stream: batch size must be ≥ 1, got \(size)")
            var coordinates: [Float] = []
            var seeds: [UInt64] = []
            for _ in 0..<size {
                let instanceSeed = StableHash.seed("tsp.train", .integer(Int(truncatingIfNeeded: dataSeed)), .integer(Int(truncatingIfNeeded: seed)), .integer(next))
                coordinates += TSPInstance.uniform(cities: cities, seed: instanceSeed).coordinates
                seeds.append(StableHash.derive(instanceSeed, "rollout"))
                next += 1
            }
            return TSPBatch(cities: cities, coordinates: coordinates, rolloutSeeds: seeds)
        }
    }

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let settings: TSPSettings
    public let reference: TSPReference
    public let validationSet: TSPBatch
    public let testSet: TSPBatch
    let trainEvalSet: TSPBatch
    let policy: TSPPolicy

    /// Builds the policy and the evaluation sets of `spec`, reading the optimal lengths from
    /// `reference_file` (relative to the spec's folder), which must cover the spec's cities,
    /// data seed and instance counts.
    public convenience init(spec: WorkloadSpec) throws {
        let settings = try TSPSettings(spec: spec)
        let path = spec.resolvedPath(settings.referenceFile)
        try self.init(spec: spec, settings: settings, reference: TSPReference.load(contentsOf: path), referencePath: path)
    }

    /// A workload with an explicit reference (tests).
    init(spec: WorkloadSpec, settings: TSPSettings, reference: TSPReference, referencePath: String) throws {
        func mismatch(_ what: String) -> InputError {
            InputError(source: spec.source, field: "settings.reference_file", message: "names \(referencePath), whose \(what)")
        }
        guard reference.cities == settings.cities else { throw mismatch("instances have \(reference.cities) cities, not \(settings.cities)") }
        guard reference.dataSeed == settings.dataSeed else { throw mismatch("data seed is \(reference.dataSeed), not \(settings.dataSeed)") }
        guard reference.validation.count >= settings.validationInstances else {
            throw mismatch("holds \(reference.validation.count) validation optima, fewer than validation_instances = \(settings.validationInstances)")
        }
        guard reference.test.count >= settings.testInstances else {
            throw mismatch("holds \(reference.test.count) test optima, fewer than test_instances = \(settings.testInstances)")
        }
        self.spec = spec
        self.settings = settings
        self.reference = reference
        let (n, seed) = (settings.cities, settings.dataSeed)
        validationSet = TSPBatch(instances: TSPReference.instances(cities: n, dataSeed: seed, split: "validation", count: settings.validationInstances))
        testSet = TSPBatch(instances: TSPReference.instances(cities: n, dataSeed: seed, split: "test", count: settings.testInstances))
        trainEvalSet = TSPBatch(instances: TSPReference.instances(cities: n, dataSeed: seed, split: "train_eval", count: settings.trainEvalInstances))
        policy = TSPPolicy(settings: settings)
        info = WorkloadInfo(
            name: spec.name, layout: policy.layout, lossType: .custom, defaultBatchSize: spec.defaultBatchSize,
            stepHint: spec.stepHint, trainingExamples: nil)
    }

    public func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "tsp.init"))
        return policy.initialParameters(using: &generator)
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(cities: settings.cities, dataSeed: settings.dataSeed, seed: StableHash.derive(seed, "tsp.stream"))
    }

    /// `(L_{b,s} − β) / Bn` per rollout: the surrogate's coefficients.
    func advantageCoefficients(_ lengths: [Double]) -> [Double] {
        let baseline: SharedBaseline = settings.baseline == .pomo ? .group : .batch
        return baseline.coefficients(costs: lengths, groupSize: settings.cities)
    }

    /// The surrogate `J` of `rollouts`.
    private func surrogate(_ rollouts: TSPPolicy.Rollouts, _ coefficients: [Double]) -> Float {
        SharedBaseline.surrogate(coefficients: coefficients, logProbabilities: rollouts.logProbabilities)
    }

    public func lossAndGradient(_ parameters: ParameterSet, batch: TSPBatch, into gradient: inout ParameterSet) -> Float {
        lossAndGradient(parameters, batch: batch, decoding: .sample, into: &gradient)
    }

    /// The surrogate and its gradient for sampled (`.sample`) or replayed (`.given`) actions.
    func lossAndGradient(_ parameters: ParameterSet, batch: TSPBatch, decoding: TSPPolicy.Decoding, into gradient: inout ParameterSet) -> Float {
        let rollouts = policy.rollouts(parameters, batch, decoding: decoding, keepCache: true)
        let coefficients = advantageCoefficients(rollouts.lengths)
        policy.backward(rollouts, coefficients: coefficients, parameters: parameters, gradient: &gradient)
        return surrogate(rollouts, coefficients)
    }

    public func loss(_ parameters: ParameterSet, batch: TSPBatch) -> Float {
        loss(parameters, batch: batch, decoding: .sample)
    }

    func loss(_ parameters: ParameterSet, batch: TSPBatch, decoding: TSPPolicy.Decoding) -> Float {
        let rollouts = policy.rollouts(parameters, batch, decoding: decoding, keepCache: false)
        return surrogate(rollouts, advantageCoefficients(rollouts.lengths))
    }

    /// The sampled tours of `batch` at `parameters` (what `lossAndGradient` trains on).
    func sampledTours(_ parameters: ParameterSet, batch: TSPBatch) -> [Int32] {
        policy.rollouts(parameters, batch, decoding: .sample, keepCache: false).tours
    }

    public func hessianVectorProduct(_ parameters: ParameterSet, batch: TSPBatch, vector: ParameterSet, into result: inout ParameterSet) {
        finiteDifferenceHessianVectorProduct(parameters, batch: batch, vector: vector, into: &result)
    }

    /// For each instance of `batch`, the best of its `n` greedy tours (one per start city):
    /// POMO's multi-start greedy inference. Returns (length, tour) per instance.
    public func greedyTours(_ parameters: ParameterSet, _ batch: TSPBatch, chunk: Int = 64) -> [(length: Double, tour: [Int])] {
        let n = settings.cities
        var result: [(length: Double, tour: [Int])] = []
        var start = 0
        while start < batch.count {
            let part = batch.slice(start..<min(start + chunk, batch.count))
            let rollouts = policy.rollouts(parameters, part, decoding: .greedy, keepCache: false)
            for b in 0..<part.count {
                var best = b * n
                for r in (b * n)..<((b + 1) * n) where rollouts.lengths[r] < rollouts.lengths[best] { best = r }
                result.append((rollouts.lengths[best], rollouts.tours[(best * n)..<((best + 1) * n)].map(Int.init)))
            }
            start += part.count
        }
        return result
    }

    /// Mean greedy tour length on the train-evaluation instances; validation and test mean
    /// optimality gaps of multi-start greedy decoding.
    public func evaluate(_ parameters: ParameterSet) -> Metrics {
        let train = greedyTours(parameters, trainEvalSet).map(\.length)
        let test = greedyTours(parameters, testSet).map(\.length)
        return Metrics(
            trainLoss: train.reduce(0, +) / Double(train.count),
            validationMetric: validationMetric(parameters),
            testMetric: OptimalityGap.mean(costs: test, optima: Array(reference.test.prefix(test.count))))
    }

    public func validationMetric(_ parameters: ParameterSet) -> Double {
        let validation = greedyTours(parameters, validationSet).map(\.length)
        return OptimalityGap.mean(costs: validation, optima: Array(reference.validation.prefix(validation.count)))
    }
}
