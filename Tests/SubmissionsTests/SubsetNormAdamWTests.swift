import Core
import Foundation
import NN
import Testing
@testable import Submissions

@Suite struct SubsetNormAdamWTests {
    static let hyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.01, "warmup_fraction": 0,
    ])

    @Test func partitionsKeepTheLargerDimensionOrTakeDivisorChunks() {
        let layout = LayoutQuadratic([
            ("square", [256, 256], .weight), ("wide", [1, 256], .weight), ("tall", [300, 20], .weight),
            ("conv", [4, 3, 3, 3], .convWeight),
        ]).info.layout
        let v = layout.views
        #expect(SubsetPartition(view: v[0], requestedSize: 0).form == .rows(count: 256, length: 256))
        #expect(SubsetPartition(view: v[1], requestedSize: 0).form == .columns(rows: 1, columns: 256))
        #expect(SubsetPartition(view: v[2], requestedSize: 0).form == .rows(count: 300, length: 20))
        #expect(SubsetPartition(view: v[3], requestedSize: 0).form == .columns(rows: 4, columns: 27))
        let chunks = SubsetPartition(view: v[2], requestedSize: 77)  // 6000 = 75 · 80
        #expect(chunks.form == .chunks(length: 75))
        #expect(chunks.count == 80)
        let columns = SubsetPartition(view: v[3], requestedSize: 0)
        #expect(columns.subset(of: 27 + 5) == 5)
        #expect(SubsetPartition(view: v[0], requestedSize: 0).subset(of: 256 * 3 + 7) == 3)
    }

    @Test func singletonSubsetsAreAdamW() throws {
        let workload = ToyRegression()
        let hp = Self.hyperparameters.merging(Hyperparameters(["subset_size": 1]))
        let sn = try SubmissionDriver.run(SubsetNormAdamW.self, on: workload, hyperparameters: hp, steps: 25)
        let adamw = try SubmissionDriver.run(AdamW.self, on: workload, hyperparameters: hp, steps: 25)
        // Not bit for bit: a subset's v adds (1−β₂)·Σg² where AdamW adds ((1−β₂)·g)·g, and the
        // last-bit differences grow over 25 steps (1.9e-5 measured).
        #expect(SubmissionDriver.maxRelativeDifference(sn.parameters, adamw.parameters) < 5e-5)
    }

    @Test(arguments: [false, true])
    func eachSubsetSharesOneStepSizeFromItsSquaredNorm(adagrad: Bool) throws {
        let workload = ToyRegression()
        let hidden = workload.info.layout.views[0]  // 8 × 12: one subset per column (the larger dimension)
        let hp = Self.hyperparameters.merging(Hyperparameters(["adagrad": adagrad ? 1 : 0, "weight_decay": 0]))
        var expectedV = [Float](repeating: 0, count: 12)
        _ = try SubmissionDriver.run(SubsetNormAdamW.self, on: workload, hyperparameters: hp, steps: 12) {
            step, before, after, sn in
            let rate = Float(sn.schedule.learningRate(at: step))
            let c1 = Float(1 - pow(0.9, Double(step + 1)))
            let c2: Float = adagrad ? 1 : Float(1 - pow(0.999, Double(step + 1)))
            for column in 0..<12 {
                let g = (0..<8).map { sn.gradient.values[hidden.offset + $0 * 12 + column] }
                let squares = g.reduce(0) { $0 + $1 * $1 }
                expectedV[column] = adagrad ? expectedV[column] + squares : 0.999 * expectedV[column] + (1 - Float(0.999)) * squares
                #expect(abs(sn.secondMoment[column] - expectedV[column]) <= 1e-5 * expectedV[column])
                let denominator = (expectedV[column] / c2).squareRoot() + 1e-8
                for row in 0..<8 {
                    let i = hidden.offset + row * 12 + column
                    let expected = rate * (sn.firstMoment[i] / c1) / denominator
                    #expect(abs((before.values[i] - after.values[i]) - expected) <= 1e-6 + 1e-4 * abs(expected))
                }
            }
        }
    }

    @Test func stateIsFullMomentumPlusOneNumberPerSubset() throws {
        #expect(try SubmissionDriver.referenceStateBytes(SubsetNormAdamW.self) == (65536 + 256) * 4)  // 263,168
        let workload = ToyRegression()  // 8×12 (12 columns), 8 bias, 3×8 (8 columns), 3 bias
        let sn = try SubsetNormAdamW(
            info: workload.info, hyperparameters: SubsetNormAdamW.defaultHyperparameters,
            budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        #expect(sn.stateBytes == (workload.info.layout.count + 12 + 8 + 8 + 3) * 4)
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(SubsetNormAdamW.self)
    }
}
