import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct ScheduleFreeAdamWTests {
    static let settings = Hyperparameters([
        "learning_rate": 0.05, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.01, "warmup_fraction": 0.2,
    ])

    @Test func evaluationIterateIsTheWeightedAverageX() throws {
        let bowl = QuadraticBowl()
        let steps = 30
        let budget = Budget(maxRuntimeSeconds: 1, stepHint: steps)
        var optimizer = try ScheduleFreeAdamW(info: bowl.info, hyperparameters: Self.settings, budget: budget)
        let start = ParameterSet(layout: bowl.info.layout, repeating: 0.3)
        #expect(optimizer.parametersForEvaluation(start) == start)
        let y = try bowl.train(&optimizer, steps: steps, from: start)
        let x = optimizer.parametersForEvaluation(y)
        #expect(x != y)

        // Reference with x stored explicitly (the paper's form), in double precision.
        let schedule = WarmupCosineSchedule(peak: 0.05, warmupFraction: 0.2, totalSteps: steps, minimumFactor: 1)
        let n = start.values.count
        var xs = [Double](repeating: 0.3, count: n), zs = xs, ys = xs, vs = [Double](repeating: 0, count: n)
        var maximum = 0.0, total = 0.0
        for t in 0..<steps {
            let rate = schedule.learningRate(at: t)
            maximum = max(maximum, rate)
            total += maximum * maximum
            let c = maximum * maximum / total
            for i in 0..<n {
                let g = Double(bowl.curvature[i]) * (ys[i] - Double(bowl.center[i]))
                vs[i] = 0.999 * vs[i] + 0.001 * g * g
                let vHat = vs[i] / (1 - pow(0.999, Double(t + 1)))
                zs[i] -= rate * (g / (vHat.squareRoot() + 1e-8) + 0.01 * ys[i])
                xs[i] = (1 - c) * xs[i] + c * zs[i]
                ys[i] = 0.9 * xs[i] + 0.1 * zs[i]
            }
        }
        for i in 0..<n {
            #expect(abs(Double(x.values[i]) - xs[i]) < 1e-4, "x[\(i)]")
            #expect(abs(Double(y.values[i]) - ys[i]) < 1e-4, "y[\(i)]")
        }
        #expect(optimizer.stateBytes == 2 * n * 4)
    }

    @Test func rateStaysConstantAfterWarmupByDefault() throws {
        let bowl = QuadraticBowl()
        let optimizer = try ScheduleFreeAdamW(
            info: bowl.info, hyperparameters: Self.settings, budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        #expect(optimizer.schedule.learningRate(at: 99) == 0.05)
        #expect(optimizer.schedule.learningRate(at: 0) < 0.05)
    }
}
