import NN
import Tensor

/// The `fashion_mnist` workload's network, DeepOBS's `2c2d` shape with configurable widths:
///
/// ```
/// conv5×5 (1 → c₁, same) · act · maxpool 2×2      28 → 14
/// conv5×5 (c₁ → c₂, same) · act · maxpool 2×2     14 → 7
/// flatten · linear(49·c₂ → h) · act · linear(h → classes)
/// ```
///
/// Every layer has a bias. Convolutions and the hidden layer are He-initialised (the
/// layers' own defaults), the output layer LeCun-normal, biases zero.
final class FashionMNISTModel {
    let layout: ParameterLayout
    let network: Sequential
    /// Forward FLOPs of one image (2 per multiply-add, convolutions and dense layers; the
    /// elementwise work of activations and pooling is not counted).
    let forwardFlopsPerImage: Int

    init(settings s: FashionMNISTSettings) {
        var layout = ParameterLayout()
        func activation(_ name: String) -> any Layer {
            switch s.activation {
            case .relu: ReLU(name)
            case .gelu: GELU(name)
            }
        }
        let size = s.imageSize, pooledOnce = size / 2, pooledTwice = pooledOnce / 2
        let conv1 = Conv2d(name: "conv1", inputChannels: 1, outputChannels: s.conv1Channels, kernelSize: 5, padding: 2, layout: &layout)
        let conv2 = Conv2d(name: "conv2", inputChannels: s.conv1Channels, outputChannels: s.conv2Channels, kernelSize: 5, padding: 2, layout: &layout)
        let features = s.conv2Channels * pooledTwice * pooledTwice
        let hidden = Linear("fc1", inputFeatures: features, outputFeatures: s.hiddenUnits, layout: &layout)
        let output = Linear("fc2", inputFeatures: s.hiddenUnits, outputFeatures: s.classes, initialization: .lecunNormal, layout: &layout)
        network = Sequential("fashion_mnist", [
            conv1, activation("conv1.act"), MaxPool2d(name: "pool1", kernelSize: 2),
            conv2, activation("conv2.act"), MaxPool2d(name: "pool2", kernelSize: 2),
            Flatten("flatten"), hidden, activation("fc1.act"), output,
        ])
        self.layout = layout
        forwardFlopsPerImage = 2 * 25 * (s.conv1Channels * size * size + s.conv2Channels * s.conv1Channels * pooledOnce * pooledOnce)
            + 2 * (features * s.hiddenUnits + s.hiddenUnits * s.classes)
    }

    func initialParameters(using generator: inout RandomGenerator) -> ParameterSet {
        var p = ParameterSet(layout: layout)
        network.initialize(&p, using: &generator)
        return p
    }
}
