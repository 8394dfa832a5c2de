import NN
import Tensor

/// A source of training batches, seeded; a submission may ask for any batch size.
public protocol DataStream<Batch>: AnyObject {
    associatedtype Batch
    /// The next batch of `size` examples (the stream cycles through reshuffled epochs).
    func nextBatch(size: Int) -> Batch
}

/// A fixed training problem: data, model, loss, metric, target and budget.
///
/// Workloads are deterministic given a seed. A submission never sees a workload
/// directly: it sees `WorkloadInfo` and an `Oracle` the harness builds from it.
public protocol Workload: AnyObject {
    associatedtype Batch
    associatedtype Stream: DataStream<Batch>

    /// The spec this instance was built from (targets, budget, sizes).
    var spec: WorkloadSpec { get }
    /// What submissions may know.
    var info: WorkloadInfo { get }

    /// Seeded initial parameters.
    func initialParameters(seed: UInt64) -> ParameterSet
    /// A seeded training-data stream.
    func makeDataStream(seed: UInt64) -> Stream
    /// Mean loss on `batch`; the gradient is written (not accumulated) into `gradient`.
    func lossAndGradient(_ parameters: ParameterSet, batch: Batch, into gradient: inout ParameterSet) -> Float
    /// Mean loss on `batch`, forward only.
    func loss(_ parameters: ParameterSet, batch: Batch) -> Float
    /// Hessian of the mean batch loss times `vector`, written into `result`.
    func hessianVectorProduct(_ parameters: ParameterSet, batch: Batch, vector: ParameterSet, into result: inout ParameterSet)
    /// Number of examples in `batch`.
    func exampleCount(of batch: Batch) -> Int
    /// `batch` cut into `parts` disjoint sub-batches of (nearly) equal size.
    func split(_ batch: Batch, into parts: Int) -> [Batch]
    /// Train-subset loss, validation metric and test metric at `parameters`.
    func evaluate(_ parameters: ParameterSet) -> Metrics
    /// The validation metric alone at `parameters`, bit for bit `evaluate(parameters).validationMetric`:
    /// what the harness computes for the snapshots it refines a time to target with, where the
    /// train loss and test metric are not needed (a workload with costly evaluation computes
    /// only this part; the default evaluates everything).
    func validationMetric(_ parameters: ParameterSet) -> Double
    /// The bilevel oracle's session over `stream`, for workloads whose parameters are the
    /// outer variable of a bilevel problem (nil, the default, for all others).
    func bilevelSession(stream: Stream) -> (any BilevelSession)?
}

extension Workload {
    public func bilevelSession(stream: Stream) -> (any BilevelSession)? { nil }

    public func validationMetric(_ parameters: ParameterSet) -> Double { evaluate(parameters).validationMetric }

    /// Central finite differences of gradients, for workloads without a closed-form HVP:
    /// `Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε` with `ε = 1e-3 · max(1, ‖θ‖) / max(‖v‖, 1e-12)`,
    /// so the step is about 1e-3 relative to the parameters whatever the scale of `v`.
    public func finiteDifferenceHessianVectorProduct(
        _ parameters: ParameterSet, batch: Batch, vector: ParameterSet, into result: inout ParameterSet
    ) {
        let parameterNorm = parameters.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let vectorNorm = vector.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard vectorNorm > 0 else {
            result.values = [Float](repeating: 0, count: parameters.values.count)
            return
        }
        let epsilon = Float(1e-3 * max(1, parameterNorm) / max(vectorNorm, 1e-12))
        var plus = parameters, minus = parameters
        for i in plus.values.indices {
            plus.values[i] += epsilon * vector.values[i]
            minus.values[i] -= epsilon * vector.values[i]
        }
        var gradientPlus = ParameterSet.zeros(like: parameters)
        var gradientMinus = ParameterSet.zeros(like: parameters)
        _ = lossAndGradient(plus, batch: batch, into: &gradientPlus)
        _ = lossAndGradient(minus, batch: batch, into: &gradientMinus)
        let inverse = 1 / (2 * epsilon)
        for i in result.values.indices {
            result.values[i] = (gradientPlus.values[i] - gradientMinus.values[i]) * inverse
        }
    }
}
