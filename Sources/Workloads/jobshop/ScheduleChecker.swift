/// Why a schedule is not a feasible job-shop schedule.
public struct InfeasibleSchedule: Error, Equatable, CustomStringConvertible {
    public let instance: String
    public let message: String

    public var description: String { "schedule of \(instance) is infeasible: \(message)" }
}

/// The exact feasibility check every scored schedule passes: given a start time per
/// operation (`starts[j·machines + k]`, integers), it checks that every start is ≥ 0, that
/// each operation of a job starts no earlier than its predecessor in the job ends, and that
/// no two operations on one machine overlap (intervals `[s, s + p)`; a zero-length operation
/// may sit at another's end or start, not strictly inside it), and returns the makespan,
/// the latest end. Independent of the simulator that built the schedule.
public enum ScheduleChecker {
    /// The makespan of `starts` on `instance`, or `InfeasibleSchedule` naming the first
    /// violated constraint.
    public static func makespan(of starts: [Int], on instance: JobShopInstance) throws(InfeasibleSchedule) -> Int {
        let (n, m) = (instance.jobs, instance.machines)
        func fail(_ message: String) -> InfeasibleSchedule { InfeasibleSchedule(instance: instance.name, message: message) }
        guard starts.count == n * m else { throw fail("\(starts.count) start times for \(n * m) operations") }
        var makespan = 0
        var onMachine = [[(start: Int, end: Int, job: Int, position: Int)]](repeating: [], count: m)
        for j in 0..<n {
            for k in 0..<m {
                let start = starts[j * m + k]
                let end = start + instance.duration(job: j, position: k)
                guard start >= 0 else { throw fail("operation \(k) of job \(j) starts at \(start) < 0") }
                if k > 0 {
                    let previousEnd = starts[j * m + k - 1] + instance.duration(job: j, position: k - 1)
                    guard start >= previousEnd else {
                        throw fail("operation \(k) of job \(j) starts at \(start), before operation \(k - 1) ends at \(previousEnd)")
                    }
                }
                onMachine[instance.machine(job: j, position: k)].append((start, end, j, k))
                makespan = max(makespan, end)
            }
        }
        for (machine, operations) in onMachine.enumerated() {
            let sorted = operations.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
            var busyUntil = Int.min, holder = (job: -1, position: -1)
            for operation in sorted {
                guard operation.start >= busyUntil else {
                    throw fail("on machine \(machine), operation \(operation.position) of job \(operation.job) starts at \(operation.start) while operation \(holder.position) of job \(holder.job) runs until \(busyUntil)")
                }
                // start ≥ busyUntil, so this operation ends last so far.
                busyUntil = operation.end
                holder = (operation.job, operation.position)
            }
        }
        return makespan
    }
}
