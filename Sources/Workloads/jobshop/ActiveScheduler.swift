/// The list-scheduling simulator: builds an active schedule by Giffler and Thompson's (1960)
/// procedure, one operation at a time.
///
/// The operations schedulable next are each unfinished job's next operation `o_j`, with
/// earliest start `s_j = max(job j's ready time, its machine's ready time)` and earliest
/// end `e_j = s_j + p_j`. Let `j*` be the job of the smallest `e_j` (lowest job index on
/// ties) and `m*` its machine: the *conflict set* holds `j*` and every job whose next
/// operation also needs `m*` and could start before `e_{j*}`. Scheduling any member of the
/// conflict set at its earliest start keeps the schedule active (no operation could start
/// earlier without delaying another), and every active schedule — among them an optimal
/// one — is reached by some sequence of choices. A conflict set of one is a forced move.
public struct ActiveScheduler: Sendable {
    public let instance: JobShopInstance
    /// Per job, the position of its next unscheduled operation (`machines` when finished).
    public private(set) var nextPosition: [Int]
    /// Per job, the end of its last scheduled operation.
    public private(set) var jobReady: [Int]
    /// Per machine, the end of the last operation scheduled on it.
    public private(set) var machineReady: [Int]
    /// Per job, the processing time of its unscheduled operations.
    public private(set) var remainingJobWork: [Int]
    /// Per machine, the processing time of its unscheduled operations.
    public private(set) var remainingMachineLoad: [Int]
    /// Start time per operation (`j·machines + k`), −1 while unscheduled.
    public private(set) var starts: [Int]
    /// Operations scheduled so far.
    public private(set) var scheduled = 0

    public init(_ instance: JobShopInstance) {
        self.instance = instance
        let (n, m) = (instance.jobs, instance.machines)
        nextPosition = [Int](repeating: 0, count: n)
        jobReady = [Int](repeating: 0, count: n)
        machineReady = [Int](repeating: 0, count: m)
        remainingJobWork = (0..<n).map { j in (0..<m).reduce(0) { $0 + instance.duration(job: j, position: $1) } }
        remainingMachineLoad = [Int](repeating: 0, count: m)
        for i in 0..<(n * m) { remainingMachineLoad[instance.machineOrder[i]] += instance.durations[i] }
        starts = [Int](repeating: -1, count: n * m)
    }

    /// Whether every operation is scheduled.
    public var isComplete: Bool { scheduled == instance.operations }

    /// Whether `job` has operations left.
    @inlinable public func isUnfinished(_ job: Int) -> Bool { nextPosition[job] < instance.machines }

    /// The machine of `job`'s next operation (the job must be unfinished).
    @inlinable public func nextMachine(_ job: Int) -> Int { instance.machine(job: job, position: nextPosition[job]) }

    /// The processing time of `job`'s next operation (the job must be unfinished).
    @inlinable public func nextDuration(_ job: Int) -> Int { instance.duration(job: job, position: nextPosition[job]) }

    /// The earliest start of `job`'s next operation.
    @inlinable public func earliestStart(_ job: Int) -> Int { max(jobReady[job], machineReady[nextMachine(job)]) }

    /// The jobs whose next operations form the Giffler–Thompson conflict set, in increasing
    /// job order; empty once the schedule is complete.
    public func conflictSet() -> [Int] {
        var best = -1, bestEnd = Int.max
        for j in 0..<instance.jobs where isUnfinished(j) {
            let end = earliestStart(j) + nextDuration(j)
            if end < bestEnd { (best, bestEnd) = (j, end) }
        }
        guard best >= 0 else { return [] }
        let machine = nextMachine(best)
        return (0..<instance.jobs).filter { j in
            j == best || (isUnfinished(j) && nextMachine(j) == machine && earliestStart(j) < bestEnd)
        }
    }

    /// Schedules `job`'s next operation at its earliest start.
    public mutating func schedule(job: Int) {
        precondition(job >= 0 && job < instance.jobs && isUnfinished(job), "ActiveScheduler: job \(job) has no operation left to schedule")
        let (machine, duration) = (nextMachine(job), nextDuration(job))
        let start = earliestStart(job)
        starts[job * instance.machines + nextPosition[job]] = start
        jobReady[job] = start + duration
        machineReady[machine] = start + duration
        remainingJobWork[job] -= duration
        remainingMachineLoad[machine] -= duration
        nextPosition[job] += 1
        scheduled += 1
    }

    /// The latest end so far (the makespan once complete).
    public var makespan: Int { jobReady.max() ?? 0 }

    /// Plays forced moves until a choice among two or more jobs is due; returns that
    /// conflict set, or nil when the schedule is complete.
    public mutating func advanceToChoice() -> [Int]? {
        while !isComplete {
            let candidates = conflictSet()
            if candidates.count > 1 { return candidates }
            schedule(job: candidates[0])
        }
        return nil
    }

    /// The complete schedule built by always choosing `choose(self, conflictSet)` (a job of
    /// the conflict set): dispatching rules, replayed priorities.
    public static func run(_ instance: JobShopInstance, choose: (ActiveScheduler, [Int]) -> Int) -> ActiveScheduler {
        var scheduler = ActiveScheduler(instance)
        while !scheduler.isComplete {
            let candidates = scheduler.conflictSet()
            let job = candidates.count == 1 ? candidates[0] : choose(scheduler, candidates)
            precondition(candidates.contains(job), "ActiveScheduler.run: job \(job) is not in the conflict set \(candidates)")
            scheduler.schedule(job: job)
        }
        return scheduler
    }
}
