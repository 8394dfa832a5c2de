import CDNNL

/// The oneDNN primitives of one convolution geometry: forward, input gradient ("backward
/// data") and kernel and bias gradients ("backward weights"), in the layouts oneDNN
/// chooses for this CPU (for AVX-512, channels blocked by 16), with reorders from and to
/// the callers' tensors (in the geometry's `ImageLayout`s) and OIHW kernels. Where a
/// caller's layout is the one oneDNN chose (channel-blocked feature maps), its buffer is
/// used in place; the primitives are the same either way, so the results are too.
///
/// Creating primitives costs milliseconds (oneDNN generates their code), so a layer's
/// `ConvolutionWorkspace` keeps one of these per geometry it has seen. The forward pass
/// keeps its reordered input, which the kernel gradient of the same input reuses. Not
/// thread-safe: one call at a time, like the workspace that holds it.
final class OneDNNConvolution {
    let geometry: Conv2dGeometry
    private let forward: dnnl_primitive_t
    private let backwardData: dnnl_primitive_t
    private let backwardWeights: dnnl_primitive_t

    private let input: OneDNNOperand
    private let kernel: OneDNNOperand
    private let bias: OneDNNMemory
    private let output: OneDNNOperand
    private let outputGradientForData: OneDNNOperand
    private let kernelForData: OneDNNOperand
    private let inputGradient: OneDNNOperand
    /// The input as the kernel gradient reads it, where its layout differs from the forward's.
    private let inputForWeights: OneDNNOperand?
    /// The output gradient as the kernel gradient reads it, where its layout differs from
    /// the input gradient's.
    private let outputGradientForWeights: OneDNNOperand?
    private let kernelGradient: OneDNNOperand
    private let biasGradient: OneDNNOperand
    /// A zero bias for a convolution without one.
    private let zeroBias: UnsafeMutableBufferPointer<Float>

    /// The input whose staged copy `input` holds, if the last forward pass ran on it.
    private var stagedInput: UnsafeRawPointer?

    init(_ g: Conv2dGeometry) {
        geometry = g
        let any = { (shape: [Int]) in OneDNNMemory.descriptor(shape, dnnl_format_tag_any) }
        let plainInput = OneDNNMemory.descriptor(g.inputShape, g.inputLayout.oneDNNTag)
        let plainOutput = OneDNNMemory.descriptor(g.outputShape, g.outputLayout.oneDNNTag)
        let plainKernel = OneDNNMemory.descriptor(g.weightShape, dnnl_oihw)
        let plainBias = OneDNNMemory.descriptor([g.outputChannels], dnnl_x)
        var (src, weights, biasDescriptor, dst) = (any(g.inputShape), any(g.weightShape), plainBias, any(g.outputShape))
        let strides = [Int64(g.stride), Int64(g.stride)]
        // Right padding such that the output size is the geometry's (PyTorch's floor).
        let padLeft = [Int64(g.padding), Int64(g.padding)]
        let padRight = [
            Int64((g.outputHeight - 1) * g.stride + g.kernelHeight - g.height - g.padding),
            Int64((g.outputWidth - 1) * g.stride + g.kernelWidth - g.width - g.padding),
        ]

        var forwardOp = dnnl_convolution_desc_t()
        OneDNN.check(
            dnnl_convolution_forward_desc_init(
                &forwardOp, dnnl_forward_training, dnnl_convolution_direct, &src, &weights, &biasDescriptor, &dst,
                strides, padLeft, padRight), "describing the forward convolution \(g)")
        let forwardPD = Self.primitiveDescriptor(&forwardOp, hint: nil, g)
        var dataOp = dnnl_convolution_desc_t()
        OneDNN.check(
            dnnl_convolution_backward_data_desc_init(
                &dataOp, dnnl_convolution_direct, &src, &weights, &dst, strides, padLeft, padRight),
            "describing the input gradient of \(g)")
        let dataPD = Self.primitiveDescriptor(&dataOp, hint: forwardPD, g)
        var weightsOp = dnnl_convolution_desc_t()
        OneDNN.check(
            dnnl_convolution_backward_weights_desc_init(
                &weightsOp, dnnl_convolution_direct, &src, &weights, &biasDescriptor, &dst, strides, padLeft, padRight),
            "describing the kernel gradient of \(g)")
        let weightsPD = Self.primitiveDescriptor(&weightsOp, hint: forwardPD, g)
        defer { [forwardPD, dataPD, weightsPD].forEach { dnnl_primitive_desc_destroy($0) } }

        func layout(_ pd: dnnl_primitive_desc_t, _ what: dnnl_query_t) -> dnnl_memory_desc_t {
            dnnl_primitive_desc_query_md(pd, what, 0).pointee
        }
        forward = Self.primitive(forwardPD, g)
        backwardData = Self.primitive(dataPD, g)
        backwardWeights = Self.primitive(weightsPD, g)
        input = OneDNNOperand(plain: plainInput, staged: layout(forwardPD, dnnl_query_src_md))
        kernel = OneDNNOperand(plain: plainKernel, staged: layout(forwardPD, dnnl_query_weights_md))
        bias = OneDNNMemory(plainBias, allocating: false)
        output = OneDNNOperand(plain: plainOutput, staged: layout(forwardPD, dnnl_query_dst_md))
        outputGradientForData = OneDNNOperand(plain: plainOutput, staged: layout(dataPD, dnnl_query_diff_dst_md))
        kernelForData = OneDNNOperand(plain: plainKernel, staged: layout(dataPD, dnnl_query_weights_md))
        inputGradient = OneDNNOperand(plain: plainInput, staged: layout(dataPD, dnnl_query_diff_src_md))
        let weightsInput = layout(weightsPD, dnnl_query_src_md)
        inputForWeights = input.staged.hasLayout(of: weightsInput) ? nil : OneDNNOperand(plain: plainInput, staged: weightsInput)
        let weightsOutputGradient = layout(weightsPD, dnnl_query_diff_dst_md)
        outputGradientForWeights = outputGradientForData.staged.hasLayout(of: weightsOutputGradient)
            ? nil : OneDNNOperand(plain: plainOutput, staged: weightsOutputGradient)
        kernelGradient = OneDNNOperand(
            plain: plainKernel, staged: layout(weightsPD, dnnl_query_diff_weights_md), accumulating: true)
        biasGradient = OneDNNOperand(plain: plainBias, staged: plainBias, accumulating: true)
        zeroBias = .allocate(capacity: g.outputChannels)
        zeroBias.initialize(repeating: 0)
    }

    /// The activation operands (input, output and their gradients, as each primitive reads
    /// or writes them) that a reorder copies between the caller's layout and oneDNN's: none
    /// when the caller's layouts are the ones oneDNN chose.
    var reorderedActivations: [String] {
        let operands: [(String, OneDNNOperand?)] = [
            ("input", input), ("output", output), ("output gradient", outputGradientForData),
            ("input gradient", inputGradient), ("input for the kernel gradient", inputForWeights),
            ("output gradient for the kernel gradient", outputGradientForWeights),
        ]
        return operands.compactMap { name, operand in operand?.isReordered == true ? name : nil }
    }

    deinit {
        [forward, backwardData, backwardWeights].forEach { dnnl_primitive_destroy($0) }
        zeroBias.deallocate()
    }

    private static func primitiveDescriptor(
        _ op: inout dnnl_convolution_desc_t, hint: dnnl_primitive_desc_t?, _ g: Conv2dGeometry
    ) -> dnnl_primitive_desc_t {
        var pd: dnnl_primitive_desc_t?
        OneDNN.check(
            dnnl_primitive_desc_create(&pd, &op, nil, OneDNN.context.engine, hint),
            "finding an implementation for \(g)")
        return pd!
    }

    private static func primitive(_ pd: dnnl_primitive_desc_t, _ g: Conv2dGeometry) -> dnnl_primitive_t {
        var p: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&p, pd), "creating a primitive for \(g)")
        return p!
    }

    /// `y = conv(x, w) + b` with `x` and `y` in the geometry's layouts and an OIHW `w`; keeps the staged `x`
    /// for a following kernel gradient of the same input.
    func forward(
        input x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>?,
        output y: UnsafeMutablePointer<Float>
    ) {
        input.stage(from: x)
        stagedInput = UnsafeRawPointer(x)
        kernel.stage(from: w)
        bias.bind(b ?? UnsafePointer(zeroBias.baseAddress!))
        output.prepareOutput(at: y)
        OneDNN.execute(
            forward, [
                input.staged.argument(DNNL_ARG_SRC), kernel.staged.argument(DNNL_ARG_WEIGHTS),
                bias.argument(DNNL_ARG_BIAS), output.staged.argument(DNNL_ARG_DST),
            ], "convolution forward \(geometry)")
        output.unstage()
        BLAS.flopCounter?.add(geometry.forwardFlops)
    }

    /// Writes the input gradient of the output gradient `dy` (output layout) to `dx` (input
    /// layout), which oneDNN overwrites.
    func inputGradient(
        outputGradient dy: UnsafePointer<Float>, weight w: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        outputGradientForData.stage(from: dy)
        kernelForData.stage(from: w)
        inputGradient.prepareOutput(at: dx)
        OneDNN.execute(
            backwardData, [
                outputGradientForData.staged.argument(DNNL_ARG_DIFF_DST), kernelForData.staged.argument(DNNL_ARG_WEIGHTS),
                inputGradient.staged.argument(DNNL_ARG_DIFF_SRC),
            ], "convolution input gradient \(geometry)")
        inputGradient.unstage()
        BLAS.flopCounter?.add(geometry.forwardFlops)
    }

    /// Adds the kernel gradient to `dw` (OIHW) and the bias gradient to `db`. With
    /// `outputGradientStaged`, `dy` was staged by `inputGradient` just before; with
    /// `reusingForwardInput`, `x` is the input of the last forward pass.
    func accumulateKernelGradient(
        outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, outputGradientStaged: Bool,
        reusingForwardInput: Bool, into dw: UnsafeMutablePointer<Float>, biasGradient db: UnsafeMutablePointer<Float>?
    ) {
        let source: OneDNNMemory
        if let inputForWeights {
            inputForWeights.stage(from: x)
            source = inputForWeights.staged
        } else {
            if !(reusingForwardInput && stagedInput == UnsafeRawPointer(x)) { input.stage(from: x) }
            stagedInput = UnsafeRawPointer(x)
            source = input.staged
        }
        let gradient: OneDNNMemory
        if let outputGradientForWeights {
            outputGradientForWeights.stage(from: dy)
            gradient = outputGradientForWeights.staged
        } else {
            if !outputGradientStaged { outputGradientForData.stage(from: dy) }
            gradient = outputGradientForData.staged
        }
        kernelGradient.prepareOutput(at: dw)
        biasGradient.prepareOutput(at: db ?? zeroBias.baseAddress!)
        OneDNN.execute(
            backwardWeights, [
                source.argument(DNNL_ARG_SRC), gradient.argument(DNNL_ARG_DIFF_DST),
                kernelGradient.staged.argument(DNNL_ARG_DIFF_WEIGHTS), biasGradient.staged.argument(DNNL_ARG_DIFF_BIAS),
            ], "convolution kernel gradient \(geometry)")
        kernelGradient.unstage()
        if db != nil { biasGradient.unstage() }
        BLAS.flopCounter?.add(geometry.forwardFlops)
    }
}
