/// How `Tensor.conv2dForward`, `conv2dBackward` and `conv2dKernelGradient` compute a
/// convolution.
public enum ConvolutionAlgorithm: Sendable, Equatable {
    /// oneDNN's primitives (`OneDNNConvolution`) for all three products, in the layouts
    /// oneDNN picks for this CPU, with reorders from and to NCHW: what the layers run.
    case oneDNN
    /// im2col + one OpenBLAS GEMM per chunk of images (col2im for the input gradient): the
    /// plain formulation, kept as the reference the tests hold oneDNN to and as a second
    /// implementation for anyone checking a result.
    case unfolding
}
