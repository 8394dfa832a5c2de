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
    private let forwardPrimitive: dnnl_primitive_t
    private let backwardPrimitive: dnnl_primitive_t
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
        let engine = OneDNN.context.engine
        let what = "softmax over \(rows) rows of \(width)"
        var forwardOp = dnnl_softmax_desc_t()
        OneDNN.check(
            dnnl_softmax_forward_desc_init(&forwardOp, dnnl_forward_training, &descriptor, 1), "describing the \(what)")
        var forwardPD: dnnl_primitive_desc_t?
        OneDNN.check(dnnl_primitive_desc_create(&forwardPD, &forwardOp, nil, engine, nil), "finding the \(what)")
        defer { dnnl_primitive_desc_destroy(forwardPD) }
        var backwardOp = dnnl_softmax_desc_t()
        OneDNN.check(
            dnnl_softmax_backward_desc_init(&backwardOp, &descriptor, &descriptor, 1), "describing the gradient of the \(what)")
        var backwardPD: dnnl_primitive_desc_t?
        OneDNN.check(
            dnnl_primitive_desc_create(&backwardPD, &backwardOp, nil, engine, forwardPD),
            "finding the gradient of the \(what)")
        defer { dnnl_primitive_desc_destroy(backwardPD) }
        var forward: dnnl_primitive_t?, backward: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&forward, forwardPD), "creating the \(what)")
        OneDNN.check(dnnl_primitive_create(&backward, backwardPD), "creating the gradient of the \(what)")
        forwardPrimitive = forward!
        backwardPrimitive = backward!
        data = OneDNNMemory(descriptor, allocating: false)
        output = OneDNNMemory(descriptor, allocating: false)
        outputGradient = OneDNNMemory(descriptor, allocating: false)
        inputGradient = OneDNNMemory(descriptor, allocating: false)
    }

    deinit {
        dnnl_primitive_destroy(forwardPrimitive)
        dnnl_primitive_destroy(backwardPrimitive)
    }

    /// Replaces each row of `x` by its softmax.
    public func forward(inPlace x: UnsafeMutablePointer<Float>) {
        data.bind(x)
        OneDNN.execute(
            forwardPrimitive, [data.argument(DNNL_ARG_SRC), data.argument(DNNL_ARG_DST)], "softmax forward")
    }

    /// `dx = y ⊙ (dy − ⟨dy, y⟩)` row by row, from the softmax output `y` and its gradient `dy`.
    public func backward(
        output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        output.bind(y)
        outputGradient.bind(dy)
        inputGradient.bind(dx)
        OneDNN.execute(
            backwardPrimitive, [
                output.argument(DNNL_ARG_DST), outputGradient.argument(DNNL_ARG_DIFF_DST),
                inputGradient.argument(DNNL_ARG_DIFF_SRC),
            ], "softmax backward")
    }
}
