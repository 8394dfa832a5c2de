import Core
import Foundation
import NN
import Tensor

/// Job-shop scheduling with a learned dispatching policy (`JobShopPolicy`: an attention
/// encoder over the operations schedulable next, inside Giffler–Thompson's active
/// simulator), trained by REINFORCE with a shared baseline, as in L2D (Zhang et al. 2020)
/// and POMO (Kwon et al. 2020), and judged on classical instances with proven optima.
///
/// Training data: an endless stream of instances from Taillard's generator at
/// `jobs × machines` (durations 1–99, random machine orders; instance `k` of the stream
/// seeded by `StableHash.seed("jobshop.train", data_seed, stream seed, k)`).
///
/// Loss (type `custom`): on a batch of `B` instances the policy samples `K =
/// samples_per_instance` schedules of each; the cost of a schedule is its makespan divided
/// by the instance's trivial lower bound (`C / LB`, dimensionless, so instances of any scale
/// weigh alike), its log-probability `ℓ` the sum over its choice points. With the shared
/// baseline `β` (the instance's mean cost over its `K` samples, or the batch mean) the loss
/// is the REINFORCE surrogate
///
///     J(θ) = (1 / BK) Σ_{b,k} (C_{b,k}/LB_b − β) · ℓ_{b,k}(θ)
///
/// at the sampled actions: its gradient is the policy-gradient estimate of `∇ E[C/LB]`; its
/// value, a centred covariance, is not a measure of progress. `loss` is the same function
/// (same actions, fixed by the batch's rollout seeds). Hessian-vector products: central
/// finite differences of gradients.
///
/// Metric (minimise): mean optimality gap `mean_i (C_i / C*_i − 1)` of the greedy policy's
/// schedules on the named validation instances, against the proven optima of the benchmark
/// file; the test metric on the named test instances. Every scored schedule passes the
/// exact `ScheduleChecker`. `evaluate`'s train loss is the mean greedy `C / LB` on
/// `train_eval_instances` fixed generated instances.
public final class JobShopWorkload: Workload {
    public typealias Batch = JobShopBatch

    /// Fresh seeded Taillard instances.
    public final class Stream: DataStream {
        private let settings: JobShopSettings
        private let seed: UInt64
        private var next = 0

        init(settings: JobShopSettings, seed: UInt64) {
            self.settings = settings
            self.seed = seed
        }

        public func nextBatch(size: Int) -> JobShopBatch {
            precondition(size >= 1, "jobshop stream: batch size must be ≥ 1, got \(size)")
            let instances = (next..<(next + size)).map {
                JobShopBatch.trainingInstance(jobs: settings.jobs, machines: settings.machines, dataSeed: settings.dataSeed, split: "train", seed: seed, index: $0)
            }
            let seeds = (next..<(next + size)).map { StableHash.seed("jobshop.rollout", .integer(Int(truncatingIfNeeded: seed)), .integer($0)) }
            next += size
            return JobShopBatch(instances: instances, rolloutSeeds: seeds)
        }
    }

    /// An evaluation set: instances with their proven optimal makespans.
    public struct EvaluationSet: Sendable {
        public let instances: [JobShopInstance]
        public let optima: [Int]
    }

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let settings: JobShopSettings
    public let validationSet: EvaluationSet
    public let testSet: EvaluationSet
    let trainEvalSet: [JobShopInstance]
    let policy: JobShopPolicy

    /// Builds the policy and reads the validation and test instances from `reference_file`
    /// (relative to the spec's folder), whose SHA-256 must be `reference_sha256`.
    public convenience init(spec: WorkloadSpec) throws {
        let settings = try JobShopSettings(spec: spec)
        let benchmarks = try BenchmarkInstances.load(contentsOf: Self.referencePath(spec: spec, settings: settings), expectedSHA256: settings.referenceSHA256)
        try self.init(spec: spec, settings: settings, benchmarks: benchmarks)
    }

    /// The reference file's path: `reference_file`, relative to the spec's folder unless absolute.
    public static func referencePath(spec: WorkloadSpec, settings: JobShopSettings) -> String {
        spec.resolvedPath(settings.referenceFile)
    }

    /// A workload over already loaded benchmark instances.
    init(spec: WorkloadSpec, settings: JobShopSettings, benchmarks: BenchmarkInstances) throws {
        func set(_ names: [String], _ key: String) throws -> EvaluationSet {
            let proven = try benchmarks.provenInstances(names, source: spec.source, field: "\(spec.variantOf == nil ? "settings" : "variants[\(spec.name)].settings").\(key)")
            return EvaluationSet(instances: proven.map(\.instance), optima: proven.map(\.optimum))
        }
        self.spec = spec
        self.settings = settings
        validationSet = try set(settings.validationInstances, "validation_instances")
        testSet = try set(settings.testInstances, "test_instances")
        trainEvalSet = (0..<settings.trainEvalInstances).map {
            JobShopBatch.trainingInstance(jobs: settings.jobs, machines: settings.machines, dataSeed: settings.dataSeed, split: "train_eval", seed: 0, index: $0)
        }
        policy = JobShopPolicy(settings: settings)
        info = WorkloadInfo(
            name: spec.name, layout: policy.layout, lossType: .custom, defaultBatchSize: spec.defaultBatchSize,
            stepHint: spec.stepHint, trainingExamples: nil)
    }

    public func initialParameters(seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: StableHash.derive(seed, "jobshop.init"))
        return policy.initialParameters(using: &generator)
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(settings: settings, seed: StableHash.derive(seed, "jobshop.stream"))
    }

    /// Each instance of `batch` repeated `samples_per_instance` times, with one seed per sample.
    private func expand(_ batch: JobShopBatch) -> (instances: [JobShopInstance], seeds: [UInt64]) {
        let k = settings.samplesPerInstance
        let instances = batch.instances.flatMap { [JobShopInstance](repeating: $0, count: k) }
        let seeds = batch.rolloutSeeds.flatMap { seed in (0..<k).map { StableHash.derive(seed, "sample\($0)") } }
        return (instances, seeds)
    }

    /// The sampled (or replayed) rollouts of `batch` and their costs `C / LB`.
    func sampledRollouts(_ parameters: ParameterSet, batch: JobShopBatch, decoding: JobShopPolicy.Decoding) -> (rollouts: JobShopPolicy.Rollouts, costs: [Double]) {
        let (instances, seeds) = expand(batch)
        let rollouts = policy.rollouts(parameters, instances: instances, seeds: seeds, decoding: decoding)
        let costs = zip(rollouts.schedules, instances).map { Double(Self.checkedMakespan($0.0)) / Double(max($0.1.trivialLowerBound, 1)) }
        return (rollouts, costs)
    }

    /// The makespan of a complete simulator state, after the exact checker accepted it (a
    /// simulator bug must not be scored).
    static func checkedMakespan(_ schedule: ActiveScheduler) -> Int {
        do {
            let makespan = try ScheduleChecker.makespan(of: schedule.starts, on: schedule.instance)
            precondition(makespan == schedule.makespan, "jobshop: the simulator's makespan \(schedule.makespan) differs from the checker's \(makespan)")
            return makespan
        } catch {
            preconditionFailure("jobshop: the simulator built an infeasible schedule: \(error)")
        }
    }

    public func lossAndGradient(_ parameters: ParameterSet, batch: JobShopBatch, into gradient: inout ParameterSet) -> Float {
        lossAndGradient(parameters, batch: batch, decoding: .sample, into: &gradient)
    }

    /// The surrogate and its gradient for sampled (`.sample`) or replayed (`.given`) actions.
    func lossAndGradient(_ parameters: ParameterSet, batch: JobShopBatch, decoding: JobShopPolicy.Decoding, into gradient: inout ParameterSet) -> Float {
        let (scored, coefficients) = surrogateTerms(parameters, batch: batch, decoding: decoding)
        policy.backward(scored, coefficients: coefficients, parameters: parameters, gradient: &gradient)
        return SharedBaseline.surrogate(coefficients: coefficients, logProbabilities: scored.logProbabilities)
    }

    public func loss(_ parameters: ParameterSet, batch: JobShopBatch) -> Float {
        loss(parameters, batch: batch, decoding: .sample)
    }

    func loss(_ parameters: ParameterSet, batch: JobShopBatch, decoding: JobShopPolicy.Decoding) -> Float {
        let (scored, coefficients) = surrogateTerms(parameters, batch: batch, decoding: decoding)
        return SharedBaseline.surrogate(coefficients: coefficients, logProbabilities: scored.logProbabilities)
    }

    /// The rollouts' log-probabilities re-scored at `parameters` and the surrogate's coefficients.
    private func surrogateTerms(_ parameters: ParameterSet, batch: JobShopBatch, decoding: JobShopPolicy.Decoding) -> (JobShopPolicy.Scored, [Double]) {
        let (rollouts, costs) = sampledRollouts(parameters, batch: batch, decoding: decoding)
        let coefficients = settings.baseline.coefficients(costs: costs, groupSize: settings.samplesPerInstance)
        let scored = policy.score(parameters, rollouts.decisions, jobs: batch.instances[0].jobs, rolloutCount: costs.count)
        return (scored, coefficients)
    }

    public func hessianVectorProduct(_ parameters: ParameterSet, batch: JobShopBatch, vector: ParameterSet, into result: inout ParameterSet) {
        finiteDifferenceHessianVectorProduct(parameters, batch: batch, vector: vector, into: &result)
    }

    /// The greedy policy's checked makespan on each of `instances` (instances of one number
    /// of jobs share encoder calls).
    public func greedyMakespans(_ parameters: ParameterSet, _ instances: [JobShopInstance]) -> [Int] {
        var makespans = [Int](repeating: 0, count: instances.count)
        for jobs in Set(instances.map(\.jobs)).sorted() {
            let indices = instances.indices.filter { instances[$0].jobs == jobs }
            let rollouts = policy.rollouts(
                parameters, instances: indices.map { instances[$0] }, seeds: [UInt64](repeating: 0, count: indices.count), decoding: .greedy)
            for (i, schedule) in zip(indices, rollouts.schedules) { makespans[i] = Self.checkedMakespan(schedule) }
        }
        return makespans
    }

    /// The mean optimality gap of the greedy policy on `set`.
    public func greedyGap(_ parameters: ParameterSet, _ set: EvaluationSet) -> Double {
        OptimalityGap.mean(costs: greedyMakespans(parameters, set.instances).map(Double.init), optima: set.optima.map(Double.init))
    }

    /// Mean greedy `C / LB` on the train-evaluation instances; validation and test mean
    /// optimality gaps of the greedy policy.
    public func evaluate(_ parameters: ParameterSet) -> Metrics {
        let train = zip(greedyMakespans(parameters, trainEvalSet), trainEvalSet).map { Double($0.0) / Double(max($0.1.trivialLowerBound, 1)) }
        return Metrics(
            trainLoss: train.reduce(0, +) / Double(train.count),
            validationMetric: greedyGap(parameters, validationSet),
            testMetric: greedyGap(parameters, testSet))
    }

    public func validationMetric(_ parameters: ParameterSet) -> Double { greedyGap(parameters, validationSet) }
}
