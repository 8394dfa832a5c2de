import Core
import Testing
@testable import Submissions

@Suite struct F2SATests {
    static let settings = Hyperparameters([
        "inner_step_size": 0.4, "outer_step_size": 0.02, "multiplier": 10, "multiplier_growth": 2, "max_multiplier": 1000,
        "inner_steps": 5,
    ])

    @Test func convergesToTheClosedFormSolutionAsTheMultiplierGrows() throws {
        // The value-function penalty's solution is O(1/λ) from x*; with λ = 1000 about 1e-3.
        let (x, _) = try BilevelSolverTestSupport.run(F2SA.self, Self.settings, steps: 5000)
        #expect(QuadraticBilevel.distanceToOptimum(x) < 1e-2)
    }

    @Test func eachStepMakesTInnerPairsThenOneOuterStep() throws {
        let (_, counts) = try BilevelSolverTestSupport.run(F2SA.self, Self.settings, steps: 2)
        // 2T + 2 inner gradients and T + 1 outer gradients with T = 5; no second derivatives.
        let expected = BilevelOracleCounts(innerGradients: 12, outerGradients: 6)
        #expect(BilevelSolverTestSupport.perStep(counts) == [expected, expected])
    }
}
