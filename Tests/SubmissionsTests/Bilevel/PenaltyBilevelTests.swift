import Core
import Testing
@testable import Submissions

@Suite struct PenaltyBilevelTests {
    static let settings = Hyperparameters([
        "inner_step_size": 0.4, "outer_step_size": 0.002, "penalty": 10, "penalty_growth": 1, "max_penalty": 1000,
    ])

    @Test func convergesToTheClosedFormSolutionAsThePenaltyGrows() throws {
        // The penalty problem's solution is O(1/λ) from x*; with λ = 1000 that is about 1e-3.
        let (x, _) = try BilevelSolverTestSupport.run(PenaltyBilevel.self, Self.settings, steps: 20000)
        #expect(QuadraticBilevel.distanceToOptimum(x) < 1e-2)
    }

    @Test func eachStepUsesTwoInnerGradientsAndOneOuterGradient() throws {
        let (_, counts) = try BilevelSolverTestSupport.run(PenaltyBilevel.self, Self.settings, steps: 2)
        let expected = BilevelOracleCounts(innerGradients: 2, outerGradients: 1)
        #expect(BilevelSolverTestSupport.perStep(counts) == [expected, expected])
    }

    @Test func penaltyGrowsLinearlyToItsCap() throws {
        var solver = try PenaltyBilevel(
            info: QuadraticBilevel().info,
            hyperparameters: PenaltyBilevel.defaultHyperparameters.merging(Hyperparameters(["penalty": 2, "penalty_growth": 3, "max_penalty": 10])),
            budget: Budget(maxRuntimeSeconds: 1, stepHint: 1))
        let workload = QuadraticBilevel()
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        var x = workload.initialParameters(seed: 0)
        var seen: [Double] = []
        for step in 0..<4 {
            seen.append(solver.penalty)
            try solver.step(&x, oracle: oracle, context: StepContext(step: step, stepHint: 4, submissionTime: 0, lastEvaluation: nil))
        }
        #expect(seen == [2, 5, 8, 10])
    }
}
