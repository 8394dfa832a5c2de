import NN
import Tensor

/// The `cnn` workload's network: a small ResNet without normalisation layers.
///
/// ```
/// stem        conv3×3 stride s (3 → w) · act                               (s = stem_stride)
/// stage 1     blocks × [x + conv3×3(act(conv3×3(x)))] · act        (w channels, resolution 1/s)
/// stage s ≥ 2 conv3×3 stride 2 (c → 2c) · act, then blocks as above (half the resolution)
/// head        global average pool · linear(c → classes)
/// ```
///
/// Every convolution has a bias and "same" padding. Residual blocks follow ResNet v1
/// (the activation after the addition). Without batch normalisation the second
/// convolution of every block starts at zero ("zero-init residual", Goyal et al. 2017), so
/// each block starts as the identity and the network as a plain stem–downsampling–head
/// chain of He-initialised convolutions; the head starts LeCun-normal.
///
/// The images arrive planar (NCHW); every convolution whose output channels fill oneDNN's
/// channel blocks on this CPU writes its feature maps blocked (`ImageLayout.oneDNNBlocked`,
/// 16 channels with AVX-512) and the next layers read them so, down to the pooling: no
/// reorders between convolutions. The primitives are the same as with planar tensors, so
/// the losses and gradients are the same bits; only the time changes.
final class CNNModel {
    let layout: ParameterLayout
    let network: Sequential
    /// The convolutions that close a residual branch (zero at initialisation).
    private let branchOutputs: [Conv2d]
    /// Forward FLOPs of one image (2 per multiply-add, convolutions and head; the
    /// elementwise work of activations, additions and pooling is not counted).
    let forwardFlopsPerImage: Int
    /// FLOPs per image of a loss-and-gradient step: the forward pass, then both gradients
    /// of every product but the stem's, whose input gradient is skipped
    /// (`Sequential.accumulateParameterGradients`).
    let trainingFlopsPerImage: Int

    /// The network of `s`, its feature maps in `featureLayout` where their channels fill its
    /// blocks (`.planar` gives the all-NCHW network the tests compare with).
    init(settings s: CNNSettings, featureLayout: ImageLayout = .oneDNNBlocked) {
        var layout = ParameterLayout()
        var layers: [any Layer] = []
        var branchOutputs: [Conv2d] = []
        var flops = 0
        var side = s.imageSize
        var current = ImageLayout.planar
        func activation(_ name: String) -> any Layer {
            switch s.activation {
            case .relu: ReLU(name)
            case .gelu: GELU(name)
            }
        }
        func convolution(_ name: String, _ input: Int, _ output: Int, stride: Int = 1) -> Conv2d {
            side = (side + 2 - 3) / stride + 1
            flops += 2 * output * input * 9 * side * side
            let outputLayout = featureLayout.admits(channels: output) ? featureLayout : .planar
            let conv = Conv2d(
                name: name, inputChannels: input, outputChannels: output, kernelSize: 3, stride: stride, padding: 1,
                inputLayout: current, outputLayout: outputLayout, layout: &layout)
            current = outputLayout
            return conv
        }
        var channels = s.width
        layers += [convolution("stem", 3, channels, stride: s.stemStride), activation("stem.act")]
        let stemFlops = flops
        for stage in 1...s.stages {
            if stage > 1 {
                let wider = 2 * channels
                layers += [convolution("stage\(stage).down", channels, wider, stride: 2), activation("stage\(stage).down.act")]
                channels = wider
            }
            for block in 0..<s.blocksPerStage {
                let name = "stage\(stage).block\(block + 1)"
                let opening = convolution("\(name).conv1", channels, channels)
                let closing = convolution("\(name).conv2", channels, channels)
                branchOutputs.append(closing)
                layers += [
                    Residual(name, Sequential("\(name).branch", [opening, activation("\(name).act1"), closing])),
                    activation("\(name).act2"),
                ]
            }
        }
        let head = Linear("head", inputFeatures: channels, outputFeatures: s.classes, initialization: .lecunNormal, layout: &layout)
        flops += 2 * channels * s.classes
        layers += [GlobalAvgPool(name: "pool", inputLayout: current), head]
        self.layout = layout
        self.network = Sequential("cnn", layers)
        self.branchOutputs = branchOutputs
        self.forwardFlopsPerImage = flops
        self.trainingFlopsPerImage = 3 * flops - stemFlops
    }

    /// He-initialised convolutions with zero biases, zero residual-branch outputs, and a
    /// LeCun-normal head.
    func initialParameters(using generator: inout RandomGenerator) -> ParameterSet {
        var p = ParameterSet(layout: layout)
        network.initialize(&p, using: &generator)
        for conv in branchOutputs {
            p.withUnsafeMutableBufferPointer(conv.weight) { $0.update(repeating: 0) }
        }
        return p
    }

    /// Logits `[n, classes]` of the images `[n, 3, size, size]`.
    func logits(_ parameters: ParameterSet, _ images: Tensor) -> Tensor {
        network.forward(images, parameters: parameters)
    }
}
