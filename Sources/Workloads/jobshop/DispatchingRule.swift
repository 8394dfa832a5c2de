/// Classical priority dispatching rules, applied inside the same active (Giffler–Thompson)
/// simulator as the learned policy, so their gaps show where a learned policy stands on
/// the same choices. Each picks one job of the conflict set; ties go to the lowest job index.
public enum DispatchingRule: String, CaseIterable, Sendable {
    /// Shortest processing time of the next operation.
    case spt = "SPT"
    /// Most work remaining in the job (the next operation included).
    case mwkr = "MWKR"
    /// Most operations remaining in the job (the next operation included).
    case mopnr = "MOPNR"
    /// First in, first out: the job that became ready (its previous operation ended) first.
    case fifo = "FIFO"

    /// The job of `candidates` this rule schedules next.
    public func choose(_ state: ActiveScheduler, _ candidates: [Int]) -> Int {
        // A larger key wins.
        func key(_ j: Int) -> Int {
            switch self {
            case .spt: -state.nextDuration(j)
            case .mwkr: state.remainingJobWork[j]
            case .mopnr: state.instance.machines - state.nextPosition[j]
            case .fifo: -state.jobReady[j]
            }
        }
        var best = candidates[0]
        for j in candidates.dropFirst() where key(j) > key(best) { best = j }
        return best
    }

    /// The start times of the schedule this rule builds on `instance`.
    public func schedule(_ instance: JobShopInstance) -> [Int] {
        ActiveScheduler.run(instance, choose: choose).starts
    }
}
