import CDNNL

/// An operation's forward (training) primitive and its gradient's: the implementations
/// oneDNN finds for two operation descriptors (`dnnl_eltwise_desc_t`, …), the backward one
/// found with the forward as its hint, as oneDNN requires. Owns both primitives.
final class OneDNNPrimitivePair {
    let forward: dnnl_primitive_t
    let backward: dnnl_primitive_t

    /// The primitives for `forwardOperation` and `backwardOperation`, which describe `what`
    /// (for error messages).
    init<Forward, Backward>(forward forwardOperation: Forward, backward backwardOperation: Backward, _ what: String) {
        var forwardOp = forwardOperation, backwardOp = backwardOperation
        let engine = OneDNN.context.engine
        var forwardPD: dnnl_primitive_desc_t?
        OneDNN.check(dnnl_primitive_desc_create(&forwardPD, &forwardOp, nil, engine, nil), "finding the \(what)")
        defer { dnnl_primitive_desc_destroy(forwardPD) }
        var backwardPD: dnnl_primitive_desc_t?
        OneDNN.check(
            dnnl_primitive_desc_create(&backwardPD, &backwardOp, nil, engine, forwardPD),
            "finding the gradient of the \(what)")
        defer { dnnl_primitive_desc_destroy(backwardPD) }
        var forward: dnnl_primitive_t?, backward: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&forward, forwardPD), "creating the \(what)")
        OneDNN.check(dnnl_primitive_create(&backward, backwardPD), "creating the gradient of the \(what)")
        self.forward = forward!
        self.backward = backward!
    }

    deinit {
        dnnl_primitive_destroy(forward)
        dnnl_primitive_destroy(backward)
    }
}
