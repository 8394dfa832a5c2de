import Core
import Testing
@testable import Submissions

@Suite struct BOREPTests {
    static let settings = Hyperparameters([
        "inner_step_size": 0.4, "outer_step_size": 0.002, "one_minus_momentum": 0.1, "update_period": 3,
        "inner_steps": 2, "refinement_steps": 25,
    ])

    @Test func convergesToTheClosedFormSolution() throws {
        // Normalized steps of length γ = 0.002 end within a few γ of x*.
        let (x, _) = try BilevelSolverTestSupport.run(BOREP.self, Self.settings, steps: 3000)
        #expect(QuadraticBilevel.distanceToOptimum(x) < 2e-2)
    }

    @Test func refinesOnceThenUpdatesTheInnerVariablePeriodically() throws {
        let (_, counts) = try BilevelSolverTestSupport.run(BOREP.self, Self.settings, steps: 7)
        let base = BilevelOracleCounts(outerGradients: 1, hessianVectorProducts: 1, crossProducts: 1)
        func with(_ inner: Int) -> BilevelOracleCounts {
            var c = base
            c.innerGradients = inner
            return c
        }
        // Step 0: refinement (25) and the periodic update (2); steps 3 and 6: the periodic update.
        #expect(BilevelSolverTestSupport.perStep(counts) == [with(27), base, base, with(2), base, base, with(2)])
    }

    @Test func stepLengthIsTheOuterStepSize() throws {
        // Step 0 uses v = 0, so its estimate ∇_x f = μx vanishes at x = 0 and x stays put;
        // from then on every step has length exactly γ.
        let (x1, _) = try BilevelSolverTestSupport.run(BOREP.self, Self.settings, steps: 1)
        #expect(x1.values.allSatisfy { $0 == 0 })
        for steps in [2, 3] {
            let (before, _) = try BilevelSolverTestSupport.run(BOREP.self, Self.settings, steps: steps - 1)
            let (after, _) = try BilevelSolverTestSupport.run(BOREP.self, Self.settings, steps: steps)
            let length = zip(before.values, after.values).reduce(0.0) { $0 + Double($1.1 - $1.0) * Double($1.1 - $1.0) }
            #expect(abs(length.squareRoot() - 0.002) < 1e-6, "step \(steps - 1)")
        }
    }
}
