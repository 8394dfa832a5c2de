import Tensor

/// 2-D average pooling over NCHW tensors with a square window.
///
/// Each output is the sum of the inputs in its `kernelSize × kernelSize` window divided
/// by `kernelSize²`; padded cells count as zeros (PyTorch's `count_include_pad = true`),
/// so the layer is one fixed linear map. No parameters.
public final class AvgPool2d: Layer {
    public let name: String
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    private var geometry: Pool2dGeometry?

    /// An average pool; `stride` defaults to `kernelSize` (non-overlapping windows), as in PyTorch.
    public init(name: String, kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        let stride = stride ?? kernelSize
        precondition(kernelSize >= 1, "AvgPool2d '\(name)': kernel size must be positive, got \(kernelSize)")
        precondition(stride >= 1, "AvgPool2d '\(name)': stride must be at least 1, got \(stride)")
        precondition(
            padding >= 0 && 2 * padding <= kernelSize,
            "AvgPool2d '\(name)': padding must be between 0 and half the kernel size \(kernelSize), got \(padding)")
        self.name = name
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        let g = Pool2dGeometry(
            inputShape: input.shape, kernelSize: kernelSize, stride: stride, padding: padding,
            caller: "AvgPool2d '\(name)'")
        geometry = g
        return Tensor.avgPool2dForward(input, geometry: g)
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let g = requireCache(geometry)
        checkShape(outputGradient.shape, expected: g.outputShape, what: "output gradient")
        return Tensor.avgPool2dBackward(outputGradient, geometry: g)
    }
}
