/// The features the jobshop policy sees of each job's next operation at a choice point:
/// one token per job (`count` numbers), so the encoder attends over the operations that
/// can be scheduled next. With `μ` the instance's mean processing time, `W = μ·machines`
/// its mean work per job, and `t*` the earliest start among all next operations:
///
/// | index | feature |
/// |---|---|
/// | 0 | processing time `p / μ` |
/// | 1 | work remaining in the job, this operation included, `/ W` |
/// | 2 | operations remaining in the job, this one included, `/ machines` |
/// | 3 | unscheduled work of the operation's machine `/ W` |
/// | 4 | earliest start relative to `t*`, `/ W` |
/// | 5 | machine ready time − job ready time (the wait, or idle time when negative) `/ W` |
/// | 6 | 1 when the operation is in the conflict set (a legal choice), else 0 |
/// | 7 | 1 when the job is finished (every other feature then 0) |
enum OperationFeatures {
    static let count = 8

    /// Writes the `jobs × count` features of `state` with conflict set `candidates` at `output`.
    static func write(_ state: ActiveScheduler, candidates: [Int], to output: UnsafeMutablePointer<Float>) {
        let instance = state.instance
        let (n, m) = (instance.jobs, instance.machines)
        let total = instance.durations.reduce(0, +)
        let meanDuration = max(Double(total) / Double(n * m), 1)
        let (perOperation, perJob) = (1 / meanDuration, 1 / (meanDuration * Double(m)))
        var earliest = Int.max
        for j in 0..<n where state.isUnfinished(j) { earliest = min(earliest, state.earliestStart(j)) }
        var candidate = [Bool](repeating: false, count: n)
        for j in candidates { candidate[j] = true }
        for j in 0..<n {
            let token = output + j * count
            token.update(repeating: 0, count: count)
            guard state.isUnfinished(j) else {
                token[7] = 1
                continue
            }
            let machine = state.nextMachine(j)
            token[0] = Float(Double(state.nextDuration(j)) * perOperation)
            token[1] = Float(Double(state.remainingJobWork[j]) * perJob)
            token[2] = Float(Double(m - state.nextPosition[j]) / Double(m))
            token[3] = Float(Double(state.remainingMachineLoad[machine]) * perJob)
            token[4] = Float(Double(state.earliestStart(j) - earliest) * perJob)
            token[5] = Float(Double(state.machineReady[machine] - state.jobReady[j]) * perJob)
            token[6] = candidate[j] ? 1 : 0
        }
    }
}
