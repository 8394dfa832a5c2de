import NN
import Tensor
import Testing

@Suite struct MeanSquaredErrorTests {
    /// d = [1, 0, −2, 3]: mean of squares 14/4 = 3.5 (no ½), gradient 2d/4.
    @Test func handCase() {
        let p = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let t = Tensor(shape: [2, 2], scalars: [0, 2, 5, 1])
        let (value, gradient) = MeanSquaredError().lossAndGradient(prediction: p, target: t)
        #expect(value == 3.5)
        #expect(MeanSquaredError().loss(prediction: p, target: t) == 3.5)
        #expect(gradient.shape == [2, 2] && gradient.scalars == [0.5, 0, -1, 1.5])
    }

    @Test func gradientCheck() {
        let t = GradientCheck.randomInput([3, 4], seed: 1)
        GradientCheck.checkScalar(at: GradientCheck.randomInput([3, 4], seed: 2), what: "mean squared error") { x in
            let (value, gradient) = MeanSquaredError().lossAndGradient(prediction: x, target: t)
            return (Double(value), gradient)
        }
    }

    @Test func shapeMismatchStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MeanSquaredError().loss(prediction: Tensor(shape: [4, 1]), target: Tensor(shape: [4]))
        } .map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("MeanSquaredError") && message.contains("[4, 1]") && message.contains("[4]"))
        }
    }
}
