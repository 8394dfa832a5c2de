import Foundation
import NN
import Tensor
import Testing

@Suite struct SoftmaxCrossEntropyTests {
    func randomLabels(_ shape: [Int], classes: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(rng.nextInt(below: classes)) })
    }

    @Test func uniformLogitsGiveLogOfClassCount() {
        let logits = Tensor(shape: [4, 10], repeating: 0.3)
        let labels = Tensor(shape: [4], scalars: [0, 3, 9, 5])
        let loss = SoftmaxCrossEntropy()
        #expect(abs(loss.loss(prediction: logits, target: labels) - Float(log(10.0))) < 1e-6)
        #expect(abs(loss.lossAndGradient(prediction: logits, target: labels).loss - Float(log(10.0))) < 1e-6)
    }

    /// Logits [0, 0, ln 2] give p = [¼, ¼, ½]. Label 0: loss ln 4, gradient p − e₀.
    @Test func plainCrossEntropyOnAHandCase() {
        let logits = Tensor(shape: [1, 3], scalars: [0, 0, Float(log(2.0))])
        let (value, gradient) = SoftmaxCrossEntropy().lossAndGradient(prediction: logits, target: Tensor(shape: [1], scalars: [0]))
        #expect(abs(value - Float(log(4.0))) < 1e-6)
        for (a, e) in zip(gradient.scalars, [-0.75, 0.25, 0.5] as [Float]) { #expect(abs(a - e) < 1e-6) }
    }

    /// Same logits, label 2, ε = 0.3: q = [0.1, 0.1, 0.8], loss = 0.2·ln 4 + 0.8·ln 2 = 1.2·ln 2,
    /// gradient p − q = [0.15, 0.15, −0.3].
    @Test func labelSmoothingOnAHandCase() {
        let logits = Tensor(shape: [1, 3], scalars: [0, 0, Float(log(2.0))])
        let loss = SoftmaxCrossEntropy(labelSmoothing: 0.3)
        let (value, gradient) = loss.lossAndGradient(prediction: logits, target: Tensor(shape: [1], scalars: [2]))
        #expect(abs(value - Float(1.2 * log(2.0))) < 1e-6)
        #expect(value == loss.loss(prediction: logits, target: Tensor(shape: [1], scalars: [2])))
        for (a, e) in zip(gradient.scalars, [0.15, 0.15, -0.3] as [Float]) { #expect(abs(a - e) < 1e-6) }
    }

    @Test func hugeLogitsStayFinite() {
        let logits = Tensor(shape: [2, 3], scalars: [1000, 0, -1000, -1000, 0, 1000])
        let (value, gradient) = SoftmaxCrossEntropy().lossAndGradient(prediction: logits, target: Tensor(shape: [2], scalars: [1, 2]))
        // Row 1: loss 1000; row 2: loss 0; mean 500. Gradient rows (p − e_y)/2.
        #expect(abs(value - 500) < 1e-3)
        #expect(gradient.scalars == [0.5, -0.5, 0, 0, 0, 0])
    }

    @Test(arguments: [Float(0), 0.1])
    func gradientCheckOnMatrixLogits(labelSmoothing: Float) {
        let logits = GradientCheck.randomInput([6, 5], seed: 1)
        let labels = randomLabels([6], classes: 5, seed: 2)
        let loss = SoftmaxCrossEntropy(labelSmoothing: labelSmoothing)
        GradientCheck.checkScalar(at: logits, what: "softmax cross-entropy ε=\(labelSmoothing)") { x in
            let (value, gradient) = loss.lossAndGradient(prediction: x, target: labels)
            return (Double(value), gradient)
        }
    }

    @Test func gradientCheckOnSequenceLogits() {
        let logits = GradientCheck.randomInput([2, 3, 4], seed: 3)
        let labels = randomLabels([2, 3], classes: 4, seed: 4)
        GradientCheck.checkScalar(at: logits, what: "softmax cross-entropy [2, 3, 4]") { x in
            let (value, gradient) = SoftmaxCrossEntropy().lossAndGradient(prediction: x, target: labels)
            return (Double(value), gradient)
        }
    }

    @Test func weightedLossMatchesPerExampleLossesAndChecksOut() {
        let logits = GradientCheck.randomInput([5, 4], seed: 5)
        let labels = randomLabels([5], classes: 4, seed: 6)
        let weights = Tensor(shape: [5], scalars: [0, 1, 2, 0.5, 3])
        let loss = SoftmaxCrossEntropy(labelSmoothing: 0.2)
        let perExample = loss.perExampleLosses(prediction: logits, target: labels)
        let expected = zip(weights.scalars, perExample.scalars).map { Double($0) * Double($1) }.reduce(0, +) / 5
        let (value, gradient) = loss.lossAndGradient(prediction: logits, target: labels, exampleWeights: weights)
        #expect(abs(Double(value) - expected) < 1e-5)
        #expect(gradient.scalars[0..<4].allSatisfy { $0 == 0 })
        let unweighted = loss.lossAndGradient(prediction: logits, target: labels)
        let ones = loss.lossAndGradient(prediction: logits, target: labels, exampleWeights: Tensor(shape: [5], repeating: 1))
        #expect(unweighted.loss == ones.loss && unweighted.gradient == ones.gradient)
        #expect(abs(Double(unweighted.loss) - perExample.scalars.map(Double.init).reduce(0, +) / 5) < 1e-6)
        GradientCheck.checkScalar(at: logits, what: "weighted softmax cross-entropy") { x in
            let (value, gradient) = loss.lossAndGradient(prediction: x, target: labels, exampleWeights: weights)
            return (Double(value), gradient)
        }
    }

    @Test func accuracyCountsArgmaxMatches() {
        let logits = Tensor(shape: [4, 3], scalars: [
            3, 1, 2,  // argmax 0
            0, 5, 5,  // tie: first maximum, 1
            -1, -2, -0.5,  // 2
            1, 1, 1,  // tie: 0
        ])
        let labels = Tensor(shape: [4], scalars: [0, 2, 2, 1])
        #expect(SoftmaxCrossEntropy.correctCount(logits: logits, labels: labels) == 2)
        #expect(SoftmaxCrossEntropy.accuracy(logits: logits, labels: labels) == 0.5)
    }

    @Test func outOfRangeLabelStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SoftmaxCrossEntropy().loss(prediction: Tensor(shape: [2, 3]), target: Tensor(shape: [2], scalars: [1, 3]))
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("SoftmaxCrossEntropy") && message.contains("label 3.0") && message.contains("0..<3"))
        }
    }

    @Test func labelShapeMismatchStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SoftmaxCrossEntropy().loss(prediction: Tensor(shape: [2, 3]), target: Tensor(shape: [3]))
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("SoftmaxCrossEntropy: labels have shape [3], expected [2]"))
        }
    }
}
