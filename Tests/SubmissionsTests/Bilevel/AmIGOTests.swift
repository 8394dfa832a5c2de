import Core
import Testing
@testable import Submissions

@Suite struct AmIGOTests {
    static let settings = Hyperparameters(["inner_step_size": 0.4, "outer_step_size": 0.3, "inner_steps": 5, "linear_steps": 4])

    @Test func convergesToTheClosedFormSolution() throws {
        let (x, _) = try BilevelSolverTestSupport.run(AmIGO.self, Self.settings, steps: 400)
        #expect(QuadraticBilevel.distanceToOptimum(x) < 1e-3)
    }

    @Test func eachStepMakesTInnerStepsAndMLinearSteps() throws {
        let (_, counts) = try BilevelSolverTestSupport.run(AmIGO.self, Self.settings, steps: 2)
        let expected = BilevelOracleCounts(innerGradients: 5, outerGradients: 1, hessianVectorProducts: 4, crossProducts: 1)
        #expect(BilevelSolverTestSupport.perStep(counts) == [expected, expected])
    }
}
