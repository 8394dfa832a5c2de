import Tensor

/// A batch of job-shop instances of one size with a rollout seed each: the seed fixes the
/// uniform numbers that instance's sampled schedules consume, so `loss` and
/// `lossAndGradient` are deterministic functions of (parameters, batch), and splitting a
/// batch keeps every instance's samples.
public struct JobShopBatch: Sendable, Equatable, ExampleBatch {
    public let instances: [JobShopInstance]
    public let rolloutSeeds: [UInt64]

    public var count: Int { instances.count }

    public init(instances: [JobShopInstance], rolloutSeeds: [UInt64]? = nil) {
        precondition(!instances.isEmpty, "JobShopBatch: needs at least one instance")
        precondition(instances.allSatisfy { $0.jobs == instances[0].jobs && $0.machines == instances[0].machines },
                     "JobShopBatch: instances must have one size")
        precondition(rolloutSeeds.map { $0.count == instances.count } ?? true, "JobShopBatch: one rollout seed per instance")
        self.instances = instances
        self.rolloutSeeds = rolloutSeeds ?? [UInt64](repeating: 0, count: instances.count)
    }

    /// The contiguous instances `range`.
    public func slice(_ range: Range<Int>) -> JobShopBatch {
        JobShopBatch(instances: Array(instances[range]), rolloutSeeds: Array(rolloutSeeds[range]))
    }

    /// Training instance `index` of the stream `seed` under `dataSeed`: Taillard's generator
    /// at time and machine seeds drawn from `StableHash.seed("jobshop.train", dataSeed, seed, index)`.
    static func trainingInstance(jobs: Int, machines: Int, dataSeed: UInt64, split: String, seed: UInt64, index: Int) -> JobShopInstance {
        let base = StableHash.seed(.text("jobshop.\(split)"), .integer(Int(truncatingIfNeeded: dataSeed)), .integer(Int(truncatingIfNeeded: seed)), .integer(index))
        return TaillardGenerator.instance(
            name: "\(split)\(index)", jobs: jobs, machines: machines,
            timeSeed: TaillardGenerator.seed(from: StableHash.derive(base, "time")),
            machineSeed: TaillardGenerator.seed(from: StableHash.derive(base, "machines")))
    }
}
