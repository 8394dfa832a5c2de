import Core
import Foundation
import Testing
@testable import Submissions

@Suite struct MomentDecayTests {
    @Test func readsBetaOneAsOneMinusAndBetaTwoDirectly() throws {
        let decay = try MomentDecay(hyperparameters: Hyperparameters(["one_minus_beta1": 0.25, "beta2": 0.5]))
        #expect(decay.beta1 == 0.75)
        #expect(decay.beta2 == 0.5)
    }

    @Test func aBetaTwoOfOneIsRefusedByName() {
        #expect(throws: HyperparameterError.invalid(name: "beta2", value: 1, expected: "a number in [0, 1)")) {
            try MomentDecay(hyperparameters: Hyperparameters(["one_minus_beta1": 0.1, "beta2": 1]))
        }
    }

    @Test func averagesAreTheExponentialMovingAverages() {
        let decay = MomentDecay(beta1: 0.75, beta2: 0.5)
        // 0.75·2 + 0.25·6 = 3; 0.5·1 + 0.5·6² = 18.5 (all exact in binary).
        #expect(decay.first(2, 6) == 3)
        #expect(decay.second(1, 6) == 18.5)
    }

    @Test func correctionsCountStepsFromOne() {
        let decay = MomentDecay(beta1: 0.5, beta2: 0.75)
        let first = decay.corrections(atStep: 0)
        #expect(first.first == 0.5 && first.second == 0.25)
        let third = decay.corrections(atStep: 2)
        #expect(third.first == 0.875)
        #expect(third.second == Float(1 - 0.421875))
        let restarted = decay.corrections(afterSteps: 3)
        #expect(restarted.first == third.first && restarted.second == third.second)
    }

    /// `direction` divides m̂ by √v̂ + ε and `step` multiplies η in before dividing: the
    /// two orders the Adam family's recorded trajectories were made with.
    @Test func directionAndStepFollowTheirStatedOrder() {
        let corrections = BiasCorrections(first: 0.1, second: 0.001)
        let (m, v, epsilon, rate): (Float, Float, Float, Float) = (0.3, 0.002, 1e-8, 0.003)
        #expect(corrections.direction(m: m, v: v, epsilon: epsilon) == (m / 0.1) / ((v / 0.001).squareRoot() + epsilon))
        #expect(corrections.step(rate: rate, m: m, v: v, epsilon: epsilon) == rate * (m / 0.1) / ((v / 0.001).squareRoot() + epsilon))
        #expect(abs(corrections.direction(m: m, v: v, epsilon: epsilon) - 3 / Float(2).squareRoot()) < 1e-5)
    }
}
