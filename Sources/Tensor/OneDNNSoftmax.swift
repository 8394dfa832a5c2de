import CDNNL

/// Softmax over each of `rows` contiguous rows of `width` Floats, in place, and its
/// gradient, through oneDNN's primitives (the attention layer's `t × t` score squares:
/// 4,096 rows of 64 per transformer layer and batch).
///
/// Entries of −∞ (an attention mask) get probability exactly 0, and so gradient 0. Each
/// row is computed by one thread, so the bits do not depend on the thread count; across
/// instruction sets they may differ in the last bit.
public final class OneDNNSoftmax {
    public let rows: Int
    public let width: Int
    private let primitives: OneDNNPrimitivePair
    private let data: OneDNNMemory
    private let output: OneDNNMemory
    private let outputGradient: OneDNNMemory
    private let inputGradient: OneDNNMemory

    /// Primitives for `rows × width` matrices (both ≥ 1), softmax along each row.
    public init(rows: Int, width: Int) {
        precondition(rows >= 1 && width >= 1, "OneDNNSoftmax: needs rows and width ≥ 1, got \(rows)×\(width)")
        self.rows = rows
        self.width = width
        var descriptor = OneDNNMemory.descriptor([rows, width], dnnl_ab)
        let what = "softmax over \(rows) rows of \(width)"
        var forward = dnnl_softmax_desc_t(), backward = dnnl_softmax_desc_t()
        OneDNN.check(
            dnnl_softmax_forward_desc_init(&forward, dnnl_forward_training, &descriptor, 1), "describing the \(what)")
        OneDNN.check(
            dnnl_softmax_backward_desc_init(&backward, &descriptor, &descriptor, 1), "describing the gradient of the \(what)")
        primitives = OneDNNPrimitivePair(forward: forward, backward: backward, what)
        data = OneDNNMemory(descriptor, allocating: false)
        output = OneDNNMemory(descriptor, allocating: false)
        outputGradient = OneDNNMemory(descriptor, allocating: false)
        inputGradient = OneDNNMemory(descriptor, allocating: false)
    }

    /// Replaces each row of `x` by its softmax.
    public func forward(inPlace x: UnsafeMutablePointer<Float>) {
        data.bind(x)
        OneDNN.execute(
            primitives.forward, [data.argument(DNNL_ARG_SRC), data.argument(DNNL_ARG_DST)], "softmax forward")
    }

    /// `dx = y ⊙ (dy − ⟨dy, y⟩)` row by row, from the softmax output `y` and its gradient `dy`.
    public func backward(
        output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        output.bind(y)
        outputGradient.bind(dy)
        inputGradient.bind(dx)
        OneDNN.execute(
            primitives.backward, [
                output.argument(DNNL_ARG_DST), outputGradient.argument(DNNL_ARG_DIFF_DST),
                inputGradient.argument(DNNL_ARG_DIFF_SRC),
            ], "softmax backward")
    }
}
