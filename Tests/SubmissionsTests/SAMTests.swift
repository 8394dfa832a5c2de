import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct SAMTests {
    static let constant = Hyperparameters([
        "learning_rate": 0.01, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.01, "rho": 0.05,
        "warmup_fraction": 0, "min_lr_factor": 1,
    ])

    @Test func takesTwoGradientEvaluationsPerStep() throws {
        let bowl = QuadraticBowl()
        let oracle = Oracle(workload: bowl, stream: bowl.makeDataStream(seed: 0))
        var sam = try SAM(info: bowl.info, hyperparameters: Self.constant, budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        _ = try bowl.train(&sam, steps: 5, oracle: oracle)
        #expect(oracle.counts.gradientEvaluations == 10)
        #expect(sam.stateBytes == 3 * bowl.info.layout.count * 4)
    }

    @Test func zeroRadiusIsAdamW() throws {
        let bowl = QuadraticBowl()
        let budget = Budget(maxRuntimeSeconds: 1, stepHint: 20)
        let settings = Self.constant.merging(Hyperparameters(["rho": 0]))
        var sam = try SAM(info: bowl.info, hyperparameters: settings, budget: budget)
        var adamw = try AdamW(info: bowl.info, hyperparameters: settings, budget: budget)
        let start = ParameterSet(layout: bowl.info.layout, repeating: 0.5)
        let viaSAM = try bowl.train(&sam, steps: 20, from: start)
        let viaAdamW = try bowl.train(&adamw, steps: 20, from: start)
        #expect(viaSAM.values == viaAdamW.values)
    }

    @Test func firstStepUsesTheGradientAtThePerturbedPoint() throws {
        let bowl = QuadraticBowl()
        var sam = try SAM(info: bowl.info, hyperparameters: Self.constant, budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        let start = ParameterSet(layout: bowl.info.layout, repeating: 0.5)
        let after = try bowl.train(&sam, steps: 1, from: start)
        // By hand: g = a(θ − c), θ' = θ + ρg/‖g‖, g' = a(θ' − c); Adam's first step is
        // g'/(|g'| + ε) with both corrections equal to (1 − β).
        let n = start.values.count
        let g = (0..<n).map { Double(bowl.curvature[$0]) * (0.5 - Double(bowl.center[$0])) }
        let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in 0..<n {
            let perturbed = 0.5 + 0.05 * g[i] / norm
            let gSAM = Double(bowl.curvature[i]) * (perturbed - Double(bowl.center[i]))
            let expected = 0.5 - 0.01 * (gSAM / (abs(gSAM) + 1e-8) + 0.01 * 0.5)
            #expect(abs(Double(after.values[i]) - expected) < 1e-6, "coordinate \(i)")
        }
    }
}
