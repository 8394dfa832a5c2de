import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Submissions

@Suite struct FOSITests {
    typealias Support = OracleMethodTestSupport

    @Test func lanczosFindsTheTopEigenvaluesOfTheRegressionHessian() throws {
        let w = try Support.smallRegression(["dimension": .number(32)])
        let oracle = Support.oracle(w)
        let theta = w.initialParameters(seed: 2)
        let d = theta.values.count
        let hessian = Support.exactHessian(oracle, at: theta)
        let (exact, _) = SymmetricEigensolver.decompose(hessian.map(Float.init), order: d)
        let trace = (0..<d).reduce(0.0) { $0 + hessian[$1 * d + $1] }
        #expect(abs(exact.reduce(0.0) { $0 + Double($1) } - trace) < 1e-4 * trace)
        var generator = RandomGenerator(seed: 3)
        let (values, vectors) = Lanczos.largestEigenpairs(like: theta, iterations: 20, count: 3, generator: &generator) {
            oracle.hessianVectorProduct(at: theta, vector: $0, into: &$1)
        }
        let top = Array(exact.reversed().prefix(3))
        #expect(values.count == 3)
        for k in 0..<3 {
            #expect(abs(values[k] - top[k]) <= 1e-3 * top[0], "λ\(k + 1): Lanczos \(values[k]), exact \(top[k])")
            // Ritz pair residual ‖Hv − λv‖ small against λ_max.
            var hv = ParameterSet.zeros(like: theta)
            oracle.hessianVectorProduct(at: theta, vector: ParameterSet(layout: theta.layout, values: vectors[k]), into: &hv)
            let residual = (0..<d).reduce(0.0) { $0 + pow(Double(hv.values[$1]) - Double(values[k]) * Double(vectors[k][$1]), 2) }.squareRoot()
            #expect(residual <= 1e-2 * Double(top[0]), "residual \(residual) for λ\(k + 1)")
        }
        #expect(top[0] - top[2] > 0.1 * top[0], "the spectrum is spread: the test separates the top eigenvalues")
    }

    @Test func subspaceComponentIsTheScaledNewtonStep() throws {
        // Refreshing at step 0 (period 1): Vᵀ(θ₁ − θ₀) = −α(1−β)·Λ⁻¹Vᵀg, and the base
        // optimizer's update has no component in span(V).
        let w = try Support.smallRegression(["dimension": .number(32)])
        let oracle = Support.oracle(w)
        let theta0 = w.initialParameters(seed: 2)
        let (alpha, beta) = (0.1, 0.9)
        var method = try FOSI(info: w.info, hyperparameters: FOSI.defaultHyperparameters.merging(Hyperparameters([
            "refresh_period": 1, "rank": 3, "alpha": alpha, "momentum": beta,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        var theta = theta0
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        #expect(method.eigenvectors.count == 3)
        var g = ParameterSet.zeros(like: theta0)
        oracle.gradient(at: theta0, into: &g)
        let move = zip(theta.values, theta0.values).map { $0 - $1 }
        for (v, inverse) in zip(method.eigenvectors, method.inverseCurvatures) {
            let expected = -alpha * (1 - beta) * Double(inverse) * Lanczos.dot(v, g.values)
            let actual = Lanczos.dot(v, move)
            #expect(abs(actual - expected) <= 1e-3 * abs(expected) + 1e-7, "component \(actual), Newton \(expected)")
        }
        let moveNorm = Lanczos.dot(move, move).squareRoot()
        #expect(moveNorm > 0)
    }

    /// A quadratic whose eigendecomposition is known exactly: H = diag(10, 5, 1.0, 0.97, …)
    /// (the replay oracle answers H·v = h ⊙ v), so the top two eigenpairs are (10, e₁) and
    /// (5, e₂). With rank 2 and a refresh at step 0, FOSI's first step is, in closed form,
    /// a damped Newton step on those two coordinates, θ_i − α(1−β)·g_i/λ_i, and Adam's first
    /// step η·g/(|g| + ε) on every other coordinate.
    @Test func firstStepOnAKnownDiagonalQuadraticIsInClosedForm() throws {
        let d = 30
        var layout = ParameterLayout()
        layout.add("w", shape: [d], kind: .bias)
        let h: [Float] = [10, 5] + (0..<(d - 2)).map { 1 - 0.03 * Float($0) }
        let g: [Float] = (0..<d).map { Float(($0 * 7) % 11) / 5 - 1 + 0.05 }
        let workload = ReplayWorkload(name: "diagonal", layout: layout, gradients: [g], hessianDiagonals: [h])
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        let (alpha, beta, rate) = (Float(0.1), Float(0.9), Float(0.01))
        var method = try FOSI(info: workload.info, hyperparameters: FOSI.defaultHyperparameters.merging(Hyperparameters([
            "refresh_period": 1, "rank": 2, "alpha": Double(alpha), "momentum": Double(beta), "learning_rate": Double(rate),
            "warmup_fraction": 0, "min_lr_factor": 1,
        ])), budget: Budget(maxRuntimeSeconds: 1, stepHint: 1))
        let theta0 = ParameterSet(layout: layout, values: (0..<d).map { Float($0) / 10 })
        var theta = theta0
        oracle.drawBatch()
        try method.step(&theta, oracle: oracle, context: Support.context(0))
        #expect(method.inverseCurvatures.count == 2)
        for (inverse, lambda) in zip(method.inverseCurvatures, [Float(10), 5]) { #expect(abs(inverse - 1 / lambda) < 1e-4 / lambda) }
        for i in 0..<d {
            let expected: Float = i < 2
                ? theta0.values[i] - alpha * (1 - beta) * g[i] / h[i]
                : theta0.values[i] - rate * g[i] / (abs(g[i]) + 1e-8)
            #expect(abs(theta.values[i] - expected) < 2e-5, "coordinate \(i): \(theta.values[i]) vs \(expected)")
        }
    }

    @Test func lanczosHVPsOnlyOnRefreshSteps() throws {
        let w = try Support.smallRegression(["dimension": .number(32)])
        let counts = try Support.countsPerStep(
            FOSI.self, FOSI.defaultHyperparameters.merging(Hyperparameters(["refresh_period": 4])), steps: 8, workload: w)
        #expect(counts.map(\.hessianVectorProducts) == [0, 0, 0, 20, 0, 0, 0, 20])
        #expect(counts.allSatisfy { $0.gradientEvaluations == 1 && $0.functionEvaluations == 0 })
    }

    @Test func smokeTrialsOnRegression() throws {
        // 120 steps: the first spectrum estimate is at step 99.
        let adam = try Support.smokeTrial(FOSI.self, steps: 120)
        #expect(adam.stateBytes == (3 * 257 + 5 * 257 + 6) * 4)
        let heavyBall = try Support.smokeTrial(FOSI.self, hyperparameters: FOSI.defaultHyperparameters.merging(Hyperparameters([
            "base_optimizer": 1, "learning_rate": 0.05, "refresh_period": 30,
        ])), steps: 60)
        #expect(heavyBall.stateBytes == (2 * 257 + 5 * 257 + 6) * 4)
    }

    @Test func smokeTrialOnTheMLPVariant() throws {
        _ = try Support.smokeTrial(FOSI.self, hyperparameters: FOSI.defaultHyperparameters.merging(Hyperparameters([
            "refresh_period": 20,
        ])), steps: 45, workload: Support.mlpRegression())
    }

    @Test func symmetricEigensolverDecomposesASmallMatrix() {
        // [[2, 1, 0], [1, 2, 0], [0, 0, 5]]: eigenvalues 1, 3, 5 with (1, −1, 0)/√2, (1, 1, 0)/√2, e₃.
        let (values, vectors) = SymmetricEigensolver.decompose([2, 1, 0, 1, 2, 0, 0, 0, 5], order: 3)
        #expect(zip(values, [Float(1), 3, 5]).allSatisfy { abs($0 - $1) < 1e-5 })
        let r = Float(0.5).squareRoot()
        let expected: [[Float]] = [[r, -r, 0], [r, r, 0], [0, 0, 1]]
        for c in 0..<3 {
            let v = Array(vectors[(c * 3)..<(c * 3 + 3)])
            let sign: Float = zip(v, expected[c]).reduce(0) { $0 + $1.0 * $1.1 } > 0 ? 1 : -1
            #expect(zip(v, expected[c]).allSatisfy { abs(sign * $0 - $1) < 1e-5 }, "eigenvector \(c): \(v)")
        }
    }
}
