import Foundation
import NN
import Tensor
import Testing

@Suite struct BinaryLogisticTests {
    @Test func zeroLogitGivesLogTwo() {
        let (value, gradient) = BinaryLogistic().lossAndGradient(
            prediction: Tensor(shape: [2], repeating: 0), target: Tensor(shape: [2], scalars: [0, 1]))
        #expect(abs(value - Float(log(2.0))) < 1e-7)
        #expect(gradient.scalars == [0.25, -0.25])  // (σ(0) − y)/n
    }

    /// z = 2, y = 1: log(1 + e⁻²); z = −1, y = 1: log(1 + e); z = 0.5, y = 0: log(1 + e^0.5).
    @Test func handCase() {
        let z = Tensor(shape: [3, 1], scalars: [2, -1, 0.5])
        let y = Tensor(shape: [3], scalars: [1, 1, 0])
        let expected = (log(1 + exp(-2.0)) + log(1 + exp(1.0)) + log(1 + exp(0.5))) / 3
        let (value, gradient) = BinaryLogistic().lossAndGradient(prediction: z, target: y)
        #expect(abs(Double(value) - expected) < 1e-6)
        #expect(BinaryLogistic().loss(prediction: z, target: y) == value)
        #expect(gradient.shape == [3, 1])
        let sigma = { (x: Double) in 1 / (1 + exp(-x)) }
        let expectedGradient = [(sigma(2) - 1) / 3, (sigma(-1) - 1) / 3, sigma(0.5) / 3]
        for (a, e) in zip(gradient.scalars, expectedGradient) { #expect(abs(Double(a) - e) < 1e-7) }
    }

    @Test func extremeLogitsAreFiniteAndCorrect() {
        let z = Tensor(shape: [4], scalars: [100, 100, -100, -100])
        let y = Tensor(shape: [4], scalars: [1, 0, 1, 0])
        let loss = BinaryLogistic()
        let perExample = loss.perExampleLosses(prediction: z, target: y)
        #expect(perExample.scalars.allSatisfy { $0.isFinite })
        #expect(perExample.scalars[0] < 1e-40 && perExample.scalars[3] < 1e-40)
        #expect(perExample.scalars[1] == 100 && perExample.scalars[2] == 100)
        let (value, gradient) = loss.lossAndGradient(prediction: z, target: y)
        #expect(abs(value - 50) < 1e-5)
        // σ(−100)/4 ≈ 9e-45 is a Float subnormal, not exactly zero.
        for (a, e) in zip(gradient.scalars, [0, 0.25, -0.25, 0] as [Float]) { #expect(abs(a - e) < 1e-30) }
    }

    @Test func gradientCheckWithHardAndSoftLabels() {
        var rng = RandomGenerator(seed: 3)
        let z = Tensor.randomNormal(shape: [8], standardDeviation: 2, using: &rng)
        let hard = Tensor(shape: [8], scalars: (0..<8).map { _ in Float(rng.nextInt(below: 2)) })
        let soft = Tensor.randomUniform(shape: [8, 1], using: &rng)
        for labels in [hard, soft] {
            GradientCheck.checkScalar(at: z, what: "binary logistic") { x in
                let (value, gradient) = BinaryLogistic().lossAndGradient(prediction: x, target: labels)
                return (Double(value), gradient)
            }
        }
    }

    @Test func weightedLossMatchesPerExampleLosses() {
        let z = GradientCheck.randomInput([5], seed: 4)
        let y = Tensor(shape: [5], scalars: [1, 0, 0, 1, 1])
        let w = Tensor(shape: [5], scalars: [2, 0, 1, 0.5, 1])
        let perExample = BinaryLogistic().perExampleLosses(prediction: z, target: y)
        let expected = zip(w.scalars, perExample.scalars).map { Double($0) * Double($1) }.reduce(0, +) / 5
        let (value, gradient) = BinaryLogistic().lossAndGradient(prediction: z, target: y, exampleWeights: w)
        #expect(abs(Double(value) - expected) < 1e-6)
        #expect(gradient.scalars[1] == 0)
        GradientCheck.checkScalar(at: z, what: "weighted binary logistic") { x in
            let (value, gradient) = BinaryLogistic().lossAndGradient(prediction: x, target: y, exampleWeights: w)
            return (Double(value), gradient)
        }
    }

    @Test func accuracyComparesSignWithLabel() {
        let z = Tensor(shape: [4], scalars: [2, -1, 0, 0.1])
        let y = Tensor(shape: [4], scalars: [1, 1, 0, 0])
        #expect(BinaryLogistic.accuracy(logits: z, labels: y) == 0.5)
    }

    @Test func sigmoidDoesNotOverflow() {
        #expect(BinaryLogistic.sigmoid(-1000) == 0 && BinaryLogistic.sigmoid(1000) == 1)
        #expect(BinaryLogistic.sigmoid(0) == 0.5)
    }

    @Test func labelOutsideUnitIntervalStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BinaryLogistic().loss(prediction: Tensor(shape: [2]), target: Tensor(shape: [2], scalars: [1, 2]))
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("BinaryLogistic: labels must lie in [0, 1]") && message.contains("2.0"))
        }
    }
}
