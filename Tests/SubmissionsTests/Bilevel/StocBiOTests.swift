import Core
import Testing
@testable import Submissions

@Suite struct StocBiOTests {
    static let settings = Hyperparameters([
        "inner_step_size": 0.4, "outer_step_size": 0.3, "inner_steps": 5, "neumann_step_size": 0.4, "neumann_terms": 30,
    ])

    @Test func convergesToTheClosedFormSolution() throws {
        // 30 Neumann terms with η = 0.4 leave a relative error below (1 − 0.4·λ_min(A))³⁰ ≈ 1e-6
        // in the inverse Hessian, far below the tolerance.
        let (x, _) = try BilevelSolverTestSupport.run(StocBiO.self, Self.settings, steps: 400)
        #expect(QuadraticBilevel.distanceToOptimum(x) < 1e-3)
    }

    @Test func eachStepMakesTInnerStepsAndQMinusOneProducts() throws {
        let (_, counts) = try BilevelSolverTestSupport.run(StocBiO.self, Self.settings, steps: 2)
        let expected = BilevelOracleCounts(innerGradients: 5, outerGradients: 1, hessianVectorProducts: 29, crossProducts: 1)
        #expect(BilevelSolverTestSupport.perStep(counts) == [expected, expected])
    }
}
