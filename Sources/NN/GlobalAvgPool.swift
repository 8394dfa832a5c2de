import Tensor

/// Global average pooling: the mean of each (image, channel) plane, mapping images
/// `[batch, channels, height, width]` to `[batch, channels]` (the head of a ResNet before
/// its classifier). The input tensor is in `inputLayout` (`ImageLayout`): planar NCHW, or
/// the channel-blocked feature maps of a network that keeps oneDNN's layout; the means are
/// the same bits either way. No parameters.
public final class GlobalAvgPool: Layer {
    public let name: String
    /// How the input tensor lies in memory.
    public let inputLayout: ImageLayout

    /// The last forward's input tensor shape and the NCHW shape of its images.
    private var cache: (tensorShape: [Int], images: [Int])?

    public init(name: String, inputLayout: ImageLayout = .planar) {
        self.name = name
        self.inputLayout = inputLayout
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        guard let images = inputLayout.imagesShape(ofTensorShape: input.shape), images[2] > 0, images[3] > 0 else {
            preconditionFailure(
                "GlobalAvgPool '\(name)': input must be \(inputLayout) \(inputLayout.axes) with a non-empty plane, got shape \(input.shape)")
        }
        cache = (input.shape, images)
        return Tensor.globalAvgPoolForward(input, layout: inputLayout)
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let (shape, images) = requireCache(cache)
        checkShape(outputGradient.shape, expected: [images[0], images[1]], what: "output gradient")
        return Tensor.globalAvgPoolBackward(outputGradient, inputShape: shape, layout: inputLayout)
    }
}
