import Tensor

/// A 2-D convolution layer (cross-correlation, as in PyTorch).
///
/// Input images `[batch, inputChannels, height, width]`, output images
/// `[batch, outputChannels, outputHeight, outputWidth]` with
/// `outputHeight = (height + 2·padding − kernelHeight) / stride + 1` (likewise for width),
/// their tensors in `inputLayout` and `outputLayout` (`ImageLayout`): planar NCHW by
/// default; a network that keeps its feature maps in `ImageLayout.oneDNNBlocked` between
/// convolutions saves oneDNN's reorders, with the same results.
/// Parameters: `"<name>.weight"` of kind `.convWeight` and shape
/// `[outputChannels, inputChannels, kernelHeight, kernelWidth]`, and, when `bias` is on,
/// `"<name>.bias"` of kind `.bias` and shape `[outputChannels]`. The work is done by
/// `Tensor.conv2dForward` / `Tensor.conv2dBackward` on oneDNN (`ConvolutionAlgorithm.oneDNN`),
/// which keeps the layer's primitives and its input in oneDNN's layout in `workspace`.
public final class Conv2d: Layer {
    public let name: String
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Int
    /// How the input tensor lies in memory.
    public let inputLayout: ImageLayout
    /// How the output tensor lies in memory.
    public let outputLayout: ImageLayout
    /// The kernel, `[outputChannels, inputChannels, kernelHeight, kernelWidth]`.
    public let weight: ParameterView
    /// The per-output-channel bias, if the layer has one.
    public let bias: ParameterView?

    private var cache: (input: Tensor, geometry: Conv2dGeometry)?
    /// Column buffers kept between calls; the backward pass reuses the forward's unfolding.
    private let workspace = ConvolutionWorkspace()

    /// A convolution with a square `kernelSize × kernelSize` kernel.
    public convenience init(
        name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int,
        stride: Int = 1, padding: Int = 0, bias: Bool = true,
        inputLayout: ImageLayout = .planar, outputLayout: ImageLayout = .planar, layout: inout ParameterLayout
    ) {
        self.init(
            name: name, inputChannels: inputChannels, outputChannels: outputChannels,
            kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride, padding: padding,
            bias: bias, inputLayout: inputLayout, outputLayout: outputLayout, layout: &layout)
    }

    /// A convolution with a `kernelHeight × kernelWidth` kernel; registers its parameters in `layout`.
    public init(
        name: String, inputChannels: Int, outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: Int = 1, padding: Int = 0, bias: Bool = true,
        inputLayout: ImageLayout = .planar, outputLayout: ImageLayout = .planar, layout: inout ParameterLayout
    ) {
        precondition(
            inputChannels >= 1 && outputChannels >= 1,
            "Conv2d '\(name)': channel counts must be positive, got input \(inputChannels), output \(outputChannels)")
        precondition(
            kernelHeight >= 1 && kernelWidth >= 1,
            "Conv2d '\(name)': kernel size must be positive, got \(kernelHeight)×\(kernelWidth)")
        precondition(stride >= 1, "Conv2d '\(name)': stride must be at least 1, got \(stride)")
        precondition(padding >= 0, "Conv2d '\(name)': padding must be non-negative, got \(padding)")
        precondition(
            inputLayout.admits(channels: inputChannels) && outputLayout.admits(channels: outputChannels),
            "Conv2d '\(name)': \(inputChannels) → \(outputChannels) channels cannot be \(inputLayout) → \(outputLayout)")
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.inputLayout = inputLayout
        self.outputLayout = outputLayout
        self.weight = layout.add(
            "\(name).weight", shape: [outputChannels, inputChannels, kernelHeight, kernelWidth], kind: .convWeight)
        self.bias = bias ? layout.add("\(name).bias", shape: [outputChannels], kind: .bias) : nil
    }

    public var parameterViews: [ParameterView] { [weight] + (bias.map { [$0] } ?? []) }

    /// The geometry for an input tensor of shape `inputShape`; stops naming this layer when
    /// the input is not `[*, inputChannels, *, *]` in the input layout or the kernel does
    /// not fit.
    public func geometry(forInputShape inputShape: [Int]) -> Conv2dGeometry {
        checkShape(inputShape, expected: inputLayout.expectedTensorShape(channels: inputChannels))
        return Conv2dGeometry(
            inputShape: inputShape, outputChannels: outputChannels,
            kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            stride: stride, padding: padding, inputLayout: inputLayout, outputLayout: outputLayout,
            caller: "Conv2d '\(name)'")
    }

    public func forward(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        let g = geometry(forInputShape: input.shape)
        cache = (input, g)
        return parameters.withUnsafeBufferPointer(weight) { w in
            if let bias {
                parameters.withUnsafeBufferPointer(bias) { b in
                    Tensor.conv2dForward(input: input, weight: w, bias: b, geometry: g, workspace: workspace)
                }
            } else {
                Tensor.conv2dForward(input: input, weight: w, bias: nil, geometry: g, workspace: workspace)
            }
        }
    }

    public func backward(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) -> Tensor {
        let (input, g) = cachedInput(matching: outputGradient)
        return parameters.withUnsafeBufferPointer(weight) { w in
            withGradientPointers(&gradient) { dw, db in
                Tensor.conv2dBackward(
                    outputGradient: outputGradient, input: input, weight: w, geometry: g, weightGradient: dw,
                    biasGradient: db, workspace: workspace, reusingForwardColumns: true)
            }
        }
    }

    /// The kernel and bias gradients alone: the input gradient, a product as large as the
    /// forward pass, is skipped (`Tensor.conv2dKernelGradient`).
    public func accumulateParameterGradients(_ outputGradient: Tensor, parameters: ParameterSet, gradient: inout ParameterSet) {
        let (input, g) = cachedInput(matching: outputGradient)
        withGradientPointers(&gradient) { dw, db in
            Tensor.conv2dKernelGradient(
                outputGradient: outputGradient, input: input, geometry: g, accumulatingInto: dw, biasGradient: db,
                workspace: workspace, reusingForwardColumns: true)
        }
    }

    /// Calls `body` with the kernel's gradient and the bias's (nil without a bias), so that
    /// one pass can fill both.
    private func withGradientPointers<R>(
        _ gradient: inout ParameterSet,
        _ body: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>?) -> R
    ) -> R {
        guard let bias else { return gradient.withUnsafeMutableBufferPointer(weight) { body($0, nil) } }
        return gradient.withUnsafeMutableBufferPointers(weight, bias) { body($0, $1) }
    }

    /// The last forward's input and geometry; stops naming this layer when there was none or
    /// `outputGradient` does not have that forward's output shape.
    private func cachedInput(matching outputGradient: Tensor) -> (Tensor, Conv2dGeometry) {
        let (input, g) = requireCache(cache)
        checkShape(outputGradient.shape, expected: g.outputTensorShape, what: "output gradient")
        return (input, g)
    }

    /// He (Kaiming) normal initialisation for ReLU networks: weights drawn from
    /// `N(0, 2 / fanIn)` with `fanIn = inputChannels · kernelHeight · kernelWidth`, which
    /// keeps the activation variance constant through ReLU layers (He et al. 2015);
    /// the bias starts at zero.
    public func initialize(_ parameters: inout ParameterSet, using generator: inout RandomGenerator) {
        let fanIn = inputChannels * kernelHeight * kernelWidth
        let standardDeviation = (2 / Float(fanIn)).squareRoot()
        parameters.withUnsafeMutableBufferPointer(weight) { w in
            generator.fillNormal(w, mean: 0, standardDeviation: standardDeviation)
        }
        if let bias {
            parameters.withUnsafeMutableBufferPointer(bias) { b in b.update(repeating: 0) }
        }
    }
}
