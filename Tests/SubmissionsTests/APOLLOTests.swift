import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct APOLLOTests {
    /// A 5 × 9 matrix (left projection, channels = its 9 columns) and a 9 × 5 one (right
    /// projection, channels = its 9 rows); rank 5 makes the identity a valid projection.
    static var workload: LayoutQuadratic {
        LayoutQuadratic([("wide", [5, 9], .weight), ("tall", [9, 5], .weight), ("bias", [4], .bias)])
    }

    static func check(tensorScaling: Bool) throws {
        let workload = Self.workload
        let hp = APOLLO.defaultHyperparameters.merging(Hyperparameters([
            "rank": 5, "warmup_fraction": 0, "tensor_scaling": tensorScaling ? 1 : 0, "scale": 4,
        ]))
        let views = workload.info.layout.views
        var m = [[Float]](repeating: [Float](repeating: 0, count: 45), count: 2)
        var v = m
        var limiterNorm: [Float?] = [nil, nil]
        var limited = 0
        _ = try SubmissionDriver.run(APOLLO.self, on: workload, hyperparameters: hp, steps: 25, observe: { step, before, after, apollo in
            let t = Double(step + 1)
            let rate = Float(apollo.core.schedule.learningRate(at: step))
            let stepScale = rate * Float((1 - pow(0.999, t)).squareRoot()) / Float(1 - pow(0.9, t))
            for (index, view) in views.prefix(2).enumerated() {
                let g = Array(apollo.core.gradient.values[view.range])
                // AdamW's (uncorrected) moments of the full gradient: the identity projection.
                var normalised = [Float](repeating: 0, count: 45)
                for k in 0..<45 {
                    m[index][k] = 0.9 * m[index][k] + (1 - Float(0.9)) * g[k]
                    v[index][k] = 0.999 * v[index][k] + (1 - Float(0.999)) * g[k] * g[k]
                    normalised[k] = m[index][k] / (v[index][k].squareRoot() + 1e-6)
                }
                // Channels: the 9 columns of the wide matrix, the 9 rows of the tall one.
                let channel: (Int) -> Int = index == 0 ? { $0 % 9 } : { $0 / 5 }
                var nNorm = [Float](repeating: 0, count: 9), gNorm = nNorm
                for k in 0..<45 {
                    nNorm[channel(k)] += normalised[k] * normalised[k]
                    gNorm[channel(k)] += g[k] * g[k]
                }
                let tensorFactor = nNorm.reduce(0, +).squareRoot() / (gNorm.reduce(0, +).squareRoot() + 1e-8)
                let s = (0..<9).map { tensorScaling ? tensorFactor : nNorm[$0].squareRoot() / (gNorm[$0].squareRoot() + 1e-8) }
                let scaled = (0..<45).map { g[$0] * s[channel($0)] }
                let norm = scaled.reduce(0) { $0 + $1 * $1 }.squareRoot()
                var limiter: Float = 1
                if let previous = limiterNorm[index] {
                    limiter = max(norm / (previous + 1e-8), 1.01) / 1.01
                    if limiter > 1 { limited += 1 }
                }
                limiterNorm[index] = norm / limiter
                for k in 0..<45 {
                    let expected = stepScale * 2 * scaled[k] / limiter  // √α = 2
                    let i = view.offset + k
                    #expect(abs((before.values[i] - after.values[i]) - expected) <= 1e-6 + 2e-4 * abs(expected))
                }
            }
        }, prepare: { $0.core.usesIdentityProjection = true })
        #expect(limited > 0, "the norm-growth limiter never acted")
    }

    @Test func identityProjectionGivesAdamWsChannelNormRatio() throws {
        try Self.check(tensorScaling: false)
    }

    @Test func identityProjectionGivesAdamWsTensorNormRatio() throws {
        try Self.check(tensorScaling: true)
    }

    @Test func projectionIsSeededGaussianRedrawnEveryGap() throws {
        let workload = LayoutQuadratic([("w", [40, 64], .weight)])  // left: P is 40 × 10
        let hp = APOLLO.defaultHyperparameters.merging(Hyperparameters(["update_proj_gap": 3]))
        var projections: [[Float]] = []
        _ = try SubmissionDriver.run(APOLLO.self, on: workload, hyperparameters: hp, steps: 7) { _, _, _, apollo in
            projections.append(try #require(apollo.core.plans[0]).projection)
        }
        let again = try SubmissionDriver.run(APOLLO.self, on: workload, hyperparameters: hp, steps: 1)
        #expect(try #require(again.submission.core.plans[0]).projection == projections[0])
        for t in 1..<7 { #expect((projections[t] == projections[t - 1]) == (t % 3 != 0), "step \(t)") }
        let p = projections[0]
        #expect(p.count == 400)
        let variance = p.reduce(0) { $0 + Double($1 * $1) } / Double(p.count)
        #expect(abs(variance - 0.1) < 0.02)  // N(0, 1/r) with r = 10
    }

    @Test func stateBytesAgainstAdamW() throws {
        // Rank 64 on 256 × 256: two 256 × 64 moments, the 64 × 256 projection, one limiter norm.
        #expect(try SubmissionDriver.referenceStateBytes(APOLLO.self) == (3 * 16384 + 1) * 4)  // 196,612
        // Mini, rank 1: two 256-moments, a 256-projection, one norm.
        #expect(try SubmissionDriver.referenceStateBytes(APOLLOMini.self) == (3 * 256 + 1) * 4)  // 3,076
    }

    @Test func smokeTrials() throws {
        try SubmissionDriver.smokeTrial(APOLLO.self)
        try SubmissionDriver.smokeTrial(APOLLOMini.self)
    }

    @Test func invalidHyperparameterIsRejectedByName() {
        let workload = ToyRegression()
        #expect(throws: HyperparameterError.invalid(name: "update_proj_gap", value: 0, expected: "an integer in 1...1073741824")) {
            _ = try APOLLO(
                info: workload.info, hyperparameters: APOLLO.defaultHyperparameters.merging(Hyperparameters(["update_proj_gap": 0])),
                budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        }
    }
}
