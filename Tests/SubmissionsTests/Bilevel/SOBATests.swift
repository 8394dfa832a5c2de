import Core
import Testing
@testable import Submissions

@Suite struct SOBATests {
    static let settings = Hyperparameters(["inner_step_size": 0.4, "outer_step_size": 0.2])

    @Test func convergesToTheClosedFormSolution() throws {
        let (x, _) = try BilevelSolverTestSupport.run(SOBA.self, Self.settings, steps: 2000)
        #expect(QuadraticBilevel.distanceToOptimum(x) < 1e-3)
    }

    @Test func eachStepCallsEveryOracleOnce() throws {
        let (_, counts) = try BilevelSolverTestSupport.run(SOBA.self, Self.settings, steps: 3)
        let one = BilevelOracleCounts(innerGradients: 1, outerGradients: 1, hessianVectorProducts: 1, crossProducts: 1)
        #expect(BilevelSolverTestSupport.perStep(counts) == [one, one, one])
    }
}
