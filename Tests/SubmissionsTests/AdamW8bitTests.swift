import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Submissions

@Suite struct AdamW8bitTests {
    @Test func dynamicMapsHave256SortedCodesFrom1e7To1() {
        for (map, signed) in [(DynamicQuantizationMap.signed, true), (DynamicQuantizationMap.unsigned, false)] {
            #expect(map.codes.count == 256)
            #expect(Set(map.codes).count == 256)
            #expect(zip(map.codes, map.codes.dropFirst()).allSatisfy { $0 < $1 })
            #expect(map.codes.contains(0))
            #expect(map.codes.last == 1)
            let smallestPositive = map.codes.filter { $0 > 0 }.min() ?? 0
            // The lowest decade 10⁻⁶ holds midpoints of linspace(0.1, 1, ·): the first is above 0.1·10⁻⁶.
            #expect(smallestPositive > 1e-7 && smallestPositive < 2e-6)
            #expect(signed ? map.codes.filter { $0 < 0 }.count == 127 : map.codes.allSatisfy { $0 >= 0 })
        }
        // Signed: 2^i fractions per decade i = 0…6, so the top decade [0.1, 1) has 64 codes.
        #expect(DynamicQuantizationMap.signed.codes.filter { $0 >= 0.1 && $0 < 1 }.count == 64)
        #expect(DynamicQuantizationMap.unsigned.codes.filter { $0 >= 0.1 && $0 < 1 }.count == 128)
    }

    @Test func indexIsTheNearestCode() {
        var generator = RandomGenerator(seed: 11)
        for map in [DynamicQuantizationMap.signed, DynamicQuantizationMap.unsigned] {
            for _ in 0..<2000 {
                let magnitude = Float(pow(10, -7 * generator.nextDouble()))
                let x = (map.codes.first! < 0 && generator.nextFloat() < 0.5 ? -1 : 1) * magnitude
                let chosen = map.codes[Int(map.index(of: x))]
                let best = map.codes.min { abs($0 - x) < abs($1 - x) }!
                #expect(abs(chosen - x) == abs(best - x))
            }
            for code in map.codes { #expect(map.codes[Int(map.index(of: code))] == code) }
        }
    }

    @Test func blockwiseRoundTripErrorIsBoundedByHalfTheLocalCodeGap() {
        var generator = RandomGenerator(seed: 5)
        let count = 1000, blockSize = 128
        // Values over six orders of magnitude, both signs, with one large outlier block.
        var values = (0..<count).map { i -> Float in
            let v = Float(pow(10, -6 * generator.nextDouble())) * (generator.nextFloat() < 0.5 ? -1 : 1)
            return i / blockSize == 3 ? 1000 * v : v
        }
        values[17] = 0
        for (map, input) in [(DynamicQuantizationMap.signed, values), (DynamicQuantizationMap.unsigned, values.map(abs))] {
            var bytes = [UInt8](repeating: 0, count: count)
            var scales = [Float](repeating: 0, count: (count + blockSize - 1) / blockSize)
            input.withUnsafeBufferPointer { x in
                bytes.withUnsafeMutableBufferPointer { b in
                    scales.withUnsafeMutableBufferPointer { s in map.quantize(x, blockSize: blockSize, bytes: b, scales: s) }
                }
            }
            #expect(scales.count == 8)
            for block in 0..<scales.count {
                let range = (block * blockSize)..<min(count, (block + 1) * blockSize)
                let absMax = range.map { abs(input[$0]) }.max() ?? 0
                #expect(scales[block] == absMax)
                for i in range {
                    let normalised = input[i] / absMax
                    let restored = map.value(bytes[i], scale: scales[block])
                    // The codes bracketing x/s: the error is the distance to the nearer one, at
                    // most half their gap (times s).
                    let below = map.codes.last { $0 <= normalised } ?? map.codes[0]
                    let above = map.codes.first { $0 >= normalised } ?? map.codes[255]
                    let nearest = map.codes.map { abs(Double($0) - Double(normalised)) }.min()! * Double(absMax)
                    let error = abs(Double(restored) - Double(input[i]))
                    #expect(error <= nearest * 1.0001 + 2 * Double(max(abs(input[i]), abs(restored)).ulp))
                    if normalised >= map.codes[0] {
                        #expect(nearest <= Double(above - below) / 2 * Double(absMax) * 1.0001)
                    }
                    #expect(abs(restored - input[i]) <= 0.0071 * absMax)  // widest gap: 0.9/64 in the signed top decade
                    if abs(normalised) >= 0.1 {
                        #expect(abs(restored - input[i]) <= 0.071 * abs(input[i]))  // ≤ 7.1% relative in the top decade
                    }
                }
            }
            #expect(map.value(bytes[17], scale: scales[0]) == 0)
        }
    }

    @Test func allThirtyTwoBitIsAdamW() throws {
        let workload = ToyRegression()
        let hp = AdamW8bit.defaultHyperparameters.merging(Hyperparameters(["min_8bit_size": 1e9, "warmup_fraction": 0]))
        let eight = try SubmissionDriver.run(AdamW8bit.self, on: workload, hyperparameters: hp, steps: 30)
        let adamw = try SubmissionDriver.run(AdamW.self, on: workload, hyperparameters: hp, steps: 30)
        #expect(eight.parameters == adamw.parameters)
        #expect(eight.submission.stateBytes == adamw.submission.stateBytes)
    }

    @Test func eachStepIsAdamWOnTheDequantisedStateThenRequantised() throws {
        let workload = ToyRegression()
        let hp = AdamW8bit.defaultHyperparameters.merging(Hyperparameters([
            "min_8bit_size": 0, "block_size": 16, "warmup_fraction": 0, "weight_decay": 0.01,
        ]))
        let (b1, b2): (Float, Float) = (0.9, 0.999)
        var previous: [String: ([Float], [Float])] = [:]
        _ = try SubmissionDriver.run(AdamW8bit.self, on: workload, hyperparameters: hp, steps: 15) { step, before, after, s in
            let rate = Float(s.schedule.learningRate(at: step))
            let c1 = Float(1 - pow(0.9, Double(step + 1))), c2 = Float(1 - pow(0.999, Double(step + 1)))
            for view in workload.info.layout.views {
                let (oldM, oldV) = previous[view.name] ?? ([Float](repeating: 0, count: view.count), [Float](repeating: 0, count: view.count))
                let (m, v) = s.moments(of: view)
                for block in stride(from: 0, to: view.count, by: 16) {
                    let range = block..<min(view.count, block + 16)
                    let exactM = range.map { b1 * oldM[$0] + (1 - b1) * s.gradient.values[view.offset + $0] }
                    let exactV = range.map { b2 * oldV[$0] + (1 - b2) * s.gradient.values[view.offset + $0] * s.gradient.values[view.offset + $0] }
                    let maxM = exactM.map(abs).max() ?? 0, maxV = exactV.max() ?? 0
                    for (k, i) in range.enumerated() {
                        // Requantisation error: at most half the widest code gap times the block maximum.
                        #expect(abs(m[i] - exactM[k]) <= 0.0071 * maxM * 1.0001)
                        #expect(abs(v[i] - exactV[k]) <= 0.0036 * maxV * 1.0001)
                        // The parameter step uses the unquantised updated moments.
                        let theta = before.values[view.offset + i]
                        let expected = theta - rate * ((exactM[k] / c1) / ((exactV[k] / c2).squareRoot() + 1e-8) + 0.01 * theta)
                        #expect(abs(after.values[view.offset + i] - expected) <= 1e-5 * max(1, abs(theta)))
                    }
                }
                previous[view.name] = (m, v)
            }
        }
    }

    @Test func quantisedTrainingStaysCloseToAdamW() throws {
        let workload = ToyRegression()
        let hp = AdamW8bit.defaultHyperparameters.merging(Hyperparameters(["min_8bit_size": 0, "block_size": 16]))
        let eight = try SubmissionDriver.run(AdamW8bit.self, on: workload, hyperparameters: hp, steps: 150, stepHint: 150)
        let adamw = try SubmissionDriver.run(AdamW.self, on: workload, hyperparameters: hp, steps: 150, stepHint: 150)
        #expect(eight.parameters != adamw.parameters)
        let (l8, l32) = (workload.fullLoss(eight.parameters), workload.fullLoss(adamw.parameters))
        #expect(abs(l8 - l32) <= 0.05 * l32)
    }

    @Test func stateIsOneBytePerMomentPlusBlockScales() throws {
        let bytes = try SubmissionDriver.referenceStateBytes(AdamW8bit.self)
        #expect(bytes == 2 * 65536 + 2 * 32 * 4)  // 131,328 vs AdamW's 524,288
        let odd = LayoutQuadratic([("w", [70, 70], .weight), ("b", [70], .bias)])
        let state = try AdamW8bit(
            info: odd.info, hyperparameters: AdamW8bit.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        // 4900 elements: 3 blocks of ≤ 2048; the 70-element bias stays 32-bit.
        #expect(state.stateBytes == 2 * 4900 + 2 * 3 * 4 + 2 * 70 * 4)
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(AdamW8bit.self)
        let workload = ToyRegression()
        let hp = AdamW8bit.defaultHyperparameters.merging(Hyperparameters(["min_8bit_size": 0, "block_size": 32]))
        let run = try SubmissionDriver.run(AdamW8bit.self, on: workload, hyperparameters: hp, steps: 150, stepHint: 150)
        #expect(workload.fullLoss(run.parameters) < 0.5 * workload.fullLoss(workload.initialParameters(seed: 7)))
    }

    @Test func invalidHyperparameterIsRejectedByName() {
        let workload = ToyRegression()
        #expect(throws: HyperparameterError.invalid(name: "block_size", value: 0.5, expected: "an integer in 1...1048576")) {
            _ = try AdamW8bit(
                info: workload.info, hyperparameters: AdamW8bit.defaultHyperparameters.merging(Hyperparameters(["block_size": 0.5])),
                budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        }
    }
}
