import NN
import Tensor
import Testing

/// Finite-difference gradient checks shared by the layer and loss tests.
///
/// The checked scalar is `L = ⟨forward(x), R⟩` for a fixed random `R`, so every output
/// element contributes. Derivatives are central differences with step `h` on the
/// Float32 forward pass, with `L` accumulated in Double. A correct backward then agrees
/// to about `h²·|f'''| + ε·|L|/h`; with `h = 1e-2` and inputs of order one that is well
/// under 1e-3 relative, while any wrong backward term shows up as an error of order one.
/// The bound used everywhere is `relativeTolerance = 1e-2` on
/// `|analytic − numeric| / max(|analytic|, |numeric|, 1e-2·scale)`, where `scale` is the
/// root-mean-square of all analytic derivatives checked.
enum GradientCheck {
    static let step: Float = 1e-2
    static let relativeTolerance = 1e-2

    /// Checks the input gradient and every parameter gradient of `layer` at `input`.
    /// Checks at most `samples` coordinates of each (randomly chosen, seeded).
    static func check(
        _ layer: any Layer,
        input: Tensor,
        parameters: ParameterSet,
        samples: Int = 40,
        seed: UInt64 = 7,
        step: Float = GradientCheck.step,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var rng = RandomGenerator(seed: seed)
        let output = layer.forward(input, parameters: parameters)
        let probe = Tensor.randomNormal(shape: output.shape, using: &rng)
        var gradient = ParameterSet.zeros(like: parameters)
        let inputGradient = layer.backward(probe, parameters: parameters, gradient: &gradient)
        #expect(inputGradient.shape == input.shape, "input gradient shape", sourceLocation: sourceLocation)

        func objective(_ x: Tensor, _ p: ParameterSet) -> Double {
            let y = layer.forward(x, parameters: p)
            var total = 0.0
            for i in 0..<y.count { total += Double(y.scalars[i]) * Double(probe.scalars[i]) }
            return total
        }

        // Input coordinates.
        var inputPairs: [(analytic: Double, numeric: Double, label: String)] = []
        for i in sampleIndices(input.count, samples, &rng) {
            var plus = input, minus = input
            plus.withUnsafeMutableBufferPointer { $0[i] += step }
            minus.withUnsafeMutableBufferPointer { $0[i] -= step }
            let numeric = (objective(plus, parameters) - objective(minus, parameters)) / Double(2 * step)
            inputPairs.append((Double(inputGradient.scalars[i]), numeric, "input[\(i)]"))
        }
        compare(inputPairs, what: "\(layer.name) input", sourceLocation: sourceLocation)

        // Parameter coordinates, per view.
        for view in parameters.views {
            var pairs: [(analytic: Double, numeric: Double, label: String)] = []
            for j in sampleIndices(view.count, samples, &rng) {
                let i = view.offset + j
                var plus = parameters, minus = parameters
                plus.values[i] += step
                minus.values[i] -= step
                let numeric = (objective(input, plus) - objective(input, minus)) / Double(2 * step)
                pairs.append((Double(gradient.values[i]), numeric, "\(view.name)[\(j)]"))
            }
            compare(pairs, what: "\(layer.name) \(view.name)", sourceLocation: sourceLocation)
        }
    }

    /// Checks a scalar function's gradient `(value, gradient) = f(x)` against central differences.
    static func checkScalar(
        at x: Tensor,
        samples: Int = 40,
        seed: UInt64 = 11,
        step: Float = GradientCheck.step,
        what: String,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ f: (Tensor) -> (value: Double, gradient: Tensor)
    ) {
        var rng = RandomGenerator(seed: seed)
        let analytic = f(x).gradient
        #expect(analytic.shape == x.shape, "gradient shape", sourceLocation: sourceLocation)
        var pairs: [(analytic: Double, numeric: Double, label: String)] = []
        for i in sampleIndices(x.count, samples, &rng) {
            var plus = x, minus = x
            plus.withUnsafeMutableBufferPointer { $0[i] += step }
            minus.withUnsafeMutableBufferPointer { $0[i] -= step }
            let numeric = (f(plus).value - f(minus).value) / Double(2 * step)
            pairs.append((Double(analytic.scalars[i]), numeric, "x[\(i)]"))
        }
        compare(pairs, what: what, sourceLocation: sourceLocation)
    }

    /// Parameters of `layout` drawn from `N(0, standardDeviation²)`, seeded.
    static func randomParameters(_ layout: ParameterLayout, seed: UInt64, standardDeviation: Float = 1) -> ParameterSet {
        var rng = RandomGenerator(seed: seed)
        var parameters = ParameterSet(layout: layout)
        parameters.values.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: standardDeviation) }
        return parameters
    }

    /// A standard normal tensor of `shape`, seeded.
    static func randomInput(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.randomNormal(shape: shape, using: &rng)
    }

    /// Normal samples pushed at least `margin` away from zero, so a finite-difference step
    /// never straddles a kink at zero (ReLU).
    static func randomInputAwayFromZero(_ shape: [Int], seed: UInt64, margin: Float = 0.1) -> Tensor {
        randomInput(shape, seed: seed).map { $0 < 0 ? $0 - margin : $0 + margin }
    }

    static func sampleIndices(_ count: Int, _ samples: Int, _ rng: inout RandomGenerator) -> [Int] {
        count <= samples ? Array(0..<count) : Array(rng.permutation(count).prefix(samples))
    }

    static func compare(
        _ pairs: [(analytic: Double, numeric: Double, label: String)], what: String,
        sourceLocation: SourceLocation
    ) {
        guard !pairs.isEmpty else { return }
        let scale = (pairs.map { $0.analytic * $0.analytic }.reduce(0, +) / Double(pairs.count)).squareRoot()
        var worst = 0.0
        var worstLabel = ""
        for pair in pairs {
            let denominator = max(abs(pair.analytic), abs(pair.numeric), 1e-2 * scale, 1e-6)
            let error = abs(pair.analytic - pair.numeric) / denominator
            if error > worst { (worst, worstLabel) = (error, "\(pair.label): analytic \(pair.analytic), numeric \(pair.numeric)") }
        }
        #expect(worst < relativeTolerance, "\(what): worst relative error \(worst) at \(worstLabel)", sourceLocation: sourceLocation)
    }
}
