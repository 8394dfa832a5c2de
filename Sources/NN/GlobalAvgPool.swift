import Tensor

/// Global average pooling: the mean of each (image, channel) plane, mapping NCHW
/// `[batch, channels, height, width]` to `[batch, channels]` (the head of a ResNet before
/// its classifier). No parameters.
public final class GlobalAvgPool: Layer {
    public let name: String

    private var inputShape: [Int]?

    public init(name: String) {
        self.name = name
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        checkShape(input.shape, expected: [nil, nil, nil, nil])
        precondition(
            input.shape[2] > 0 && input.shape[3] > 0,
            "GlobalAvgPool '\(name)': input plane must be non-empty, got shape \(input.shape)")
        inputShape = input.shape
        return Tensor.globalAvgPoolForward(input)
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let shape = requireCache(inputShape)
        checkShape(outputGradient.shape, expected: [shape[0], shape[1]], what: "output gradient")
        return Tensor.globalAvgPoolBackward(outputGradient, inputShape: shape)
    }
}
