import Core
import NN
import Tensor

/// The training loss and the evaluation of a network that maps NCHW images to class
/// logits, shared by the image workloads (`cnn`, `fashion_mnist`): softmax cross-entropy
/// (mean over the batch) with its gradient, and the mean loss and accuracy of a data set
/// scanned in chunks (bounded activation memory).
struct ImageClassifier {
    /// The workload's name, for precondition messages.
    let workload: String
    let network: Sequential
    let layout: ParameterLayout
    private let lossFunction = SoftmaxCrossEntropy()

    init(workload: String, network: Sequential, layout: ParameterLayout) {
        self.workload = workload
        self.network = network
        self.layout = layout
    }

    /// Mean cross-entropy of `batch`; its gradient overwrites `gradient`.
    func lossAndGradient(_ parameters: ParameterSet, batch: CNNBatch, into gradient: inout ParameterSet) -> Float {
        checkLayout(parameters, "parameters")
        checkLayout(gradient, "gradient buffer")
        gradient.values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        let logits = network.forward(batch.images, parameters: parameters)
        let (loss, logitGradient) = lossFunction.lossAndGradient(prediction: logits, target: Self.labelTensor(batch))
        network.accumulateParameterGradients(logitGradient, parameters: parameters, gradient: &gradient)
        return loss
    }

    /// Mean cross-entropy of `batch`, forward only.
    func loss(_ parameters: ParameterSet, batch: CNNBatch) -> Float {
        checkLayout(parameters, "parameters")
        return lossFunction.loss(prediction: network.forward(batch.images, parameters: parameters), target: Self.labelTensor(batch))
    }

    /// Mean loss and accuracy of the first `count` images of `set`, `chunk` images per
    /// forward pass (loss summed in Double).
    func scan(
        _ set: ImageDataSet, count: Int, normalization: ImageNormalization, chunk: Int, parameters: ParameterSet
    ) -> (meanLoss: Double, accuracy: Double) {
        checkLayout(parameters, "parameters")
        precondition(count >= 1 && count <= set.count, "\(workload): cannot scan \(count) of \(set.count) images")
        var totalLoss = 0.0, correct = 0
        for start in stride(from: 0, to: count, by: chunk) {
            let batch = set.batch(start..<min(start + chunk, count), normalization: normalization)
            let logits = network.forward(batch.images, parameters: parameters)
            let labels = Self.labelTensor(batch)
            totalLoss += Double(lossFunction.loss(prediction: logits, target: labels)) * Double(batch.count)
            correct += SoftmaxCrossEntropy.correctCount(logits: logits, labels: labels)
        }
        return (totalLoss / Double(count), Double(correct) / Double(count))
    }

    /// What an image workload's `evaluate` reports: the mean cross-entropy of the first
    /// `trainEvalCount` training images, and the accuracy on the validation and test sets.
    func metrics(
        train: ImageDataSet, trainEvalCount: Int, validation: ImageDataSet, test: ImageDataSet,
        normalization: ImageNormalization, chunk: Int, parameters: ParameterSet
    ) -> Metrics {
        func scan(_ set: ImageDataSet, _ count: Int) -> (meanLoss: Double, accuracy: Double) {
            self.scan(set, count: count, normalization: normalization, chunk: chunk, parameters: parameters)
        }
        return Metrics(
            trainLoss: scan(train, trainEvalCount).meanLoss,
            validationMetric: scan(validation, validation.count).accuracy,
            testMetric: scan(test, test.count).accuracy)
    }

    /// The accuracy on `validation` alone: `metrics(…).validationMetric`, without scanning
    /// the training subset and the test set.
    func validationAccuracy(
        _ validation: ImageDataSet, normalization: ImageNormalization, chunk: Int, parameters: ParameterSet
    ) -> Double {
        scan(validation, count: validation.count, normalization: normalization, chunk: chunk, parameters: parameters).accuracy
    }

    /// The labels as the `Float` class indices `SoftmaxCrossEntropy` takes.
    private static func labelTensor(_ batch: CNNBatch) -> Tensor {
        Tensor(shape: [batch.count], scalars: batch.labels.map { Float($0) })
    }

    func checkLayout(_ parameters: ParameterSet, _ what: String) {
        precondition(
            parameters.layout == layout && parameters.values.count == layout.count,
            "\(workload) \(what): \(parameters.values.count) values in layout \(parameters.views.prefix(4).map(\.name))…, expected \(layout.count) in \(layout.views.prefix(4).map(\.name))…")
    }
}
