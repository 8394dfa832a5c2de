import Core
import Foundation
import NN
import Results
import Testing
@testable import Harness

/// A submission that only waits: what a stolen span looks like to the trial (time passes,
/// the thread does no work).
private struct WaitingSubmission: Submission {
    static let name = "waiting"
    static let searchSpace = SearchSpace(fixedPoints: [Hyperparameters()])
    static let defaultHyperparameters = Hyperparameters()
    init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {}
    mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        Thread.sleep(forTimeInterval: 0.02)
    }
    var stateBytes: Int { 0 }
}

@Suite struct TrialClockTests {
    @Test func oneThreadReadsCPUTimeMoreReadWallTime() {
        #expect(TrialClock(threads: 1) == .threadCPU)
        #expect(TrialClock(threads: 2) == .wall)
        #expect(TrialClock(threads: 16) == .wall)
    }

    @Test func cpuTimeStandsStillWhileTheThreadWaits() {
        let cpu = TrialClock.threadCPU.now(), wall = TrialClock.wall.now()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(TrialClock.wall.now() - wall >= 0.29)
        #expect(TrialClock.threadCPU.now() - cpu < 0.1)
    }

    @Test func cpuTimeAdvancesWithWork() {
        let cpu = TrialClock.threadCPU.now(), wall = TrialClock.wall.now()
        var sum = 0.0
        while TrialClock.threadCPU.now() - cpu < 0.05, TrialClock.wall.now() - wall < 10 {
            for i in 0..<10_000 { sum += Double(i).squareRoot() }
        }
        #expect(sum > 0)
        #expect(TrialClock.threadCPU.now() - cpu >= 0.05)
    }

    @Test func aSubmissionClockBillsOnlyWhatItsSourceCounts() {
        var onCPU = SubmissionClock(source: .threadCPU), onWall = SubmissionClock(source: .wall)
        onCPU.time { Thread.sleep(forTimeInterval: 0.2) }
        onWall.time { Thread.sleep(forTimeInterval: 0.2) }
        #expect(onCPU.elapsed < 0.05)
        #expect(onWall.elapsed >= 0.19)
    }

    /// The runner reads both the submission time and the rows' time since the start from
    /// the clock it is given: ten steps of waiting 20 ms cost 0.2 s of wall time and next
    /// to nothing of CPU time.
    @Test func theRunnerReadsTheClockItIsGiven() throws {
        func run(_ clock: TrialClock) throws -> EvaluationRow {
            let outcome = TrialRunner.run(
                workload: QuadraticWorkload(target: 1e-9), submission: WaitingSubmission.self,
                hyperparameters: Hyperparameters(), seed: 1, budget: Budget(maxRuntimeSeconds: 60, stepHint: 10),
                schedule: .steps(period: 5), maximumSteps: 10, clock: clock)
            #expect(outcome.steps == 10)
            return try #require(outcome.evaluations.last)
        }
        let wall = try run(.wall), cpu = try run(.threadCPU)
        #expect(wall.submissionTime >= 0.19)
        #expect(wall.wallTime >= wall.submissionTime)
        #expect(cpu.submissionTime < 0.1)
        #expect(cpu.wallTime < 0.19)
        #expect(cpu.wallTime >= cpu.submissionTime)
    }
}
