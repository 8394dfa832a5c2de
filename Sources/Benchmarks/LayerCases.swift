import Tensor

extension LayerBenchmarks {
    /// Layers at the sizes the workloads use: the transformer's projections and MLP
    /// (2048 tokens, d_model 128), the convolutions and head of the `cnn` workload and its
    /// `cnn_wide` variant (batch 128, stem stride 2, widths 32 and 64, one block per
    /// stage), and attention.
    static var workloadCases: [Case] {
        [
            linear(batch: 2048, input: 128, output: 512),
            linear(batch: 2048, input: 512, output: 128),
            linear(batch: 2048, input: 128, output: 128),
        ]
            + cnnCases("cnn", batch: 128, width: 32, stemStride: 2, stages: 3, blocksPerStage: 1, imageSize: 32, classes: 10)
            + cnnCases("cnn_wide", batch: 128, width: 64, stemStride: 2, stages: 3, blocksPerStage: 1, imageSize: 32, classes: 10)
            + [attention(batch: 16, length: 128, dimension: 128, heads: 4)]
    }

    /// One case per distinct layer shape of the `cnn` network (see `CNNModel`): the stem,
    /// each stage's stride-2 widening convolution and its residual-block convolution,
    /// and the linear head, each marked with how often a training step runs it. The stem
    /// appears twice: with the input gradient (not counted in the network), and as the
    /// network runs it, without (its input is the images). The convolutions read and write
    /// their feature maps in oneDNN's blocked layout, as the network keeps them
    /// (`ImageLayout.oneDNNBlocked`; the stem reads planar images).
    static func cnnCases(
        _ network: String, batch: Int, width: Int, stemStride: Int, stages: Int, blocksPerStage: Int, imageSize: Int,
        classes: Int
    ) -> [Case] {
        let blocked = ImageLayout.oneDNNBlocked
        let stem = conv2d(
            batch: batch, channels: 3, outputChannels: width, size: imageSize, stride: stemStride, outputLayout: blocked)
        var cases = [stem, occurring(stem.asFirstLayer, 1, in: network)]
        var channels = width, size = imageSize / stemStride
        for stage in 1...stages {
            if stage > 1 {
                let down = conv2d(
                    batch: batch, channels: channels, outputChannels: 2 * channels, size: size, stride: 2,
                    inputLayout: blocked, outputLayout: blocked)
                cases.append(occurring(down, 1, in: network))
                channels *= 2
                size /= 2
            }
            let block = conv2d(
                batch: batch, channels: channels, outputChannels: channels, size: size, inputLayout: blocked,
                outputLayout: blocked)
            cases.append(occurring(block, 2 * blocksPerStage, in: network))
        }
        cases.append(occurring(linear(batch: batch, input: channels, output: classes), 1, in: network))
        return cases
    }
}
