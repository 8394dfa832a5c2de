import CDNNL

/// Layer normalisation of `rows` contiguous rows of `features` Floats, with a learned scale
/// and shift per feature, through oneDNN's primitives:
///
///     y = γ ⊙ (x − μ) / √(σ² + ε) + β        (μ, σ² the row's mean and population variance)
///
/// Forward (training) also returns each row's μ and σ², which backward takes back to give
/// the input gradient and the scale and shift gradients (`Σ_rows dy ⊙ x̂` and `Σ_rows dy`).
/// Rows are independent in the forward pass and the input gradient; the parameter gradients
/// sum over rows in an order fixed by the thread count, so the bits depend only on the
/// inputs, the thread count and the instruction set.
public final class OneDNNLayerNormalization {
    public let rows: Int
    public let features: Int
    private let primitives: OneDNNPrimitivePair
    private let source: OneDNNMemory
    private let destination: OneDNNMemory
    private let mean: OneDNNMemory
    private let variance: OneDNNMemory
    private let scale: OneDNNMemory
    private let shift: OneDNNMemory
    private let destinationGradient: OneDNNMemory
    private let sourceGradient: OneDNNMemory
    private let scaleGradient: OneDNNMemory
    private let shiftGradient: OneDNNMemory

    /// Primitives for `rows × features` inputs (both ≥ 1) and the given `epsilon`.
    public init(rows: Int, features: Int, epsilon: Float) {
        precondition(rows >= 1 && features >= 1, "OneDNNLayerNormalization: needs rows and features ≥ 1, got \(rows)×\(features)")
        self.rows = rows
        self.features = features
        var data = OneDNNMemory.descriptor([rows, features], dnnl_ab)
        var statistics = OneDNNMemory.descriptor([rows], dnnl_a)
        let parameter = OneDNNMemory.descriptor([features], dnnl_a)
        let flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
        let what = "layer normalisation of \(rows)×\(features)"
        var forward = dnnl_layer_normalization_desc_t(), backward = dnnl_layer_normalization_desc_t()
        OneDNN.check(
            dnnl_layer_normalization_forward_desc_init(&forward, dnnl_forward_training, &data, &statistics, epsilon, flags),
            "describing the \(what)")
        OneDNN.check(
            dnnl_layer_normalization_backward_desc_init(&backward, dnnl_backward, &data, &data, &statistics, epsilon, flags),
            "describing the gradient of the \(what)")
        primitives = OneDNNPrimitivePair(forward: forward, backward: backward, what)
        let unbound = { (descriptor: dnnl_memory_desc_t) in OneDNNMemory(descriptor, allocating: false) }
        (source, destination, destinationGradient, sourceGradient) = (unbound(data), unbound(data), unbound(data), unbound(data))
        (mean, variance) = (unbound(statistics), unbound(statistics))
        (scale, shift, scaleGradient, shiftGradient) = (
            unbound(parameter), unbound(parameter), unbound(parameter), unbound(parameter))
    }

    /// `y` from `x`, `γ` and `β`; writes each row's mean and variance (`rows` each) for backward.
    public func forward(
        _ x: UnsafePointer<Float>, scale gamma: UnsafePointer<Float>, shift beta: UnsafePointer<Float>,
        into y: UnsafeMutablePointer<Float>, mean mu: UnsafeMutablePointer<Float>,
        variance sigma2: UnsafeMutablePointer<Float>
    ) {
        source.bind(x)
        scale.bind(gamma)
        shift.bind(beta)
        destination.bind(y)
        mean.bind(mu)
        variance.bind(sigma2)
        OneDNN.execute(
            primitives.forward, [
                source.argument(DNNL_ARG_SRC), scale.argument(DNNL_ARG_SCALE), shift.argument(DNNL_ARG_SHIFT),
                destination.argument(DNNL_ARG_DST), mean.argument(DNNL_ARG_MEAN),
                variance.argument(DNNL_ARG_VARIANCE),
            ], "layer normalisation forward")
    }

    /// The input gradient `dx` and the scale and shift gradients (written, not added) from
    /// `dy` and what forward saw and returned (oneDNN's primitive takes the shift too).
    public func backward(
        input x: UnsafePointer<Float>, mean mu: UnsafePointer<Float>, variance sigma2: UnsafePointer<Float>,
        scale gamma: UnsafePointer<Float>, shift beta: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, scaleGradient dGamma: UnsafeMutablePointer<Float>,
        shiftGradient dBeta: UnsafeMutablePointer<Float>
    ) {
        source.bind(x)
        mean.bind(mu)
        variance.bind(sigma2)
        scale.bind(gamma)
        shift.bind(beta)
        destinationGradient.bind(dy)
        sourceGradient.bind(dx)
        scaleGradient.bind(dGamma)
        shiftGradient.bind(dBeta)
        OneDNN.execute(
            primitives.backward, [
                source.argument(DNNL_ARG_SRC), mean.argument(DNNL_ARG_MEAN), variance.argument(DNNL_ARG_VARIANCE),
                scale.argument(DNNL_ARG_SCALE), shift.argument(DNNL_ARG_SHIFT), destinationGradient.argument(DNNL_ARG_DIFF_DST),
                sourceGradient.argument(DNNL_ARG_DIFF_SRC), scaleGradient.argument(DNNL_ARG_DIFF_SCALE),
                shiftGradient.argument(DNNL_ARG_DIFF_SHIFT),
            ], "layer normalisation backward")
    }
}
