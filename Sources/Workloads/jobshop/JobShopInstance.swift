/// A job-shop scheduling instance: `jobs` jobs, each a chain of `machines` operations; the
/// `k`-th operation of job `j` runs on machine `machineOrder[j·machines + k]` for
/// `durations[j·machines + k]` time units, after operation `k − 1` of the same job has
/// finished, and a machine runs one operation at a time, without pre-emption. The classical
/// instances (and Taillard's generator) visit every machine exactly once per job; the
/// simulator and the checker do not rely on it. Times are integers, so makespans are exact.
public struct JobShopInstance: Sendable, Equatable {
    /// The instance's name (`ft06`, `ta01`, or a generated instance's label).
    public let name: String
    public let jobs: Int
    /// Machines, and operations per job.
    public let machines: Int
    /// `jobs × machines` processing times, row-major by job then position in the job.
    public let durations: [Int]
    /// `jobs × machines` machine indices in `0..<machines`, same layout as `durations`.
    public let machineOrder: [Int]

    public init(name: String, jobs: Int, machines: Int, durations: [Int], machineOrder: [Int]) {
        precondition(jobs >= 1 && machines >= 1, "JobShopInstance \(name): needs at least one job and one machine, got \(jobs) × \(machines)")
        precondition(durations.count == jobs * machines && machineOrder.count == jobs * machines,
                     "JobShopInstance \(name): \(jobs) × \(machines) needs \(jobs * machines) durations and machines, got \(durations.count) and \(machineOrder.count)")
        precondition(durations.allSatisfy { $0 >= 0 }, "JobShopInstance \(name): durations must be ≥ 0")
        precondition(machineOrder.allSatisfy { (0..<machines).contains($0) }, "JobShopInstance \(name): machine indices must lie in 0..<\(machines)")
        self.name = name
        self.jobs = jobs
        self.machines = machines
        self.durations = durations
        self.machineOrder = machineOrder
    }

    /// Operations in all.
    public var operations: Int { jobs * machines }

    /// Processing time of operation `position` of `job`.
    @inlinable public func duration(job: Int, position: Int) -> Int { durations[job * machines + position] }

    /// Machine of operation `position` of `job`.
    @inlinable public func machine(job: Int, position: Int) -> Int { machineOrder[job * machines + position] }

    /// The trivial lower bound on the makespan: the longest job's total processing time or the
    /// most loaded machine's total, whichever is larger (every schedule is at least as long).
    public var trivialLowerBound: Int {
        var machineLoad = [Int](repeating: 0, count: machines)
        var longestJob = 0
        for j in 0..<jobs {
            var total = 0
            for k in 0..<machines {
                total += duration(job: j, position: k)
                machineLoad[machine(job: j, position: k)] += duration(job: j, position: k)
            }
            longestJob = max(longestJob, total)
        }
        return max(longestJob, machineLoad.max() ?? 0)
    }
}
