import Tensor

/// 2-D max pooling over NCHW tensors with a square window.
///
/// Each output is the largest input in its `kernelSize × kernelSize` window, moved by
/// `stride` over the input zero-padded by `padding` (padding never wins; at most half the
/// kernel). Backward routes each output gradient to the element its window selected.
/// No parameters.
public final class MaxPool2d: Layer {
    public let name: String
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    private var cache: (argmax: [Int32], geometry: Pool2dGeometry)?

    /// A max pool; `stride` defaults to `kernelSize` (non-overlapping windows), as in PyTorch.
    public init(name: String, kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        let stride = stride ?? kernelSize
        precondition(kernelSize >= 1, "MaxPool2d '\(name)': kernel size must be positive, got \(kernelSize)")
        precondition(stride >= 1, "MaxPool2d '\(name)': stride must be at least 1, got \(stride)")
        precondition(
            padding >= 0 && 2 * padding <= kernelSize,
            "MaxPool2d '\(name)': padding must be between 0 and half the kernel size \(kernelSize), got \(padding)")
        self.name = name
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        let g = Pool2dGeometry(
            inputShape: input.shape, kernelSize: kernelSize, stride: stride, padding: padding,
            caller: "MaxPool2d '\(name)'")
        let (output, argmax) = Tensor.maxPool2dForward(input, geometry: g)
        cache = (argmax, g)
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let (argmax, g) = requireCache(cache)
        checkShape(outputGradient.shape, expected: g.outputShape, what: "output gradient")
        return Tensor.maxPool2dBackward(outputGradient, argmax: argmax, geometry: g)
    }
}
