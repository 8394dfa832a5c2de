import Foundation
import Testing
@testable import Harness
@testable import Submissions

// The README's kit example ("Adding a submission", "From the kit"), verbatim between the
// markers: the test below checks the README still shows exactly this code, and runs it.
// README-KIT-EXAMPLE-BEGIN
import Core
import Foundation
import NN

/// LaProp (Ziyin, Wang & Ueda, "LaProp: Separating Momentum and Adaptivity in Adam",
/// 2020), Algorithm 1 with decoupled weight decay: Adam with momentum taken of the
/// normalised gradient, `v ← β₂v + (1−β₂)g²`, `m ← β₁m + (1−β₁)·g/(√(v/(1−β₂ᵗ)) + ε)`,
/// `θ ← θ − η_t·(m/(1−β₁ᵗ) + λθ)`. Written from the submission kit.
struct LaProp: Submission {
    static let name = "laprop"
    static let searchSpace = SearchSpace.adamFamily(adding: ["weight_decay": .weightDecayRange])
    static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(learningRate: 1e-3, adding: ["weight_decay": 1e-4])

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float
    var moments: MomentBuffers
    var gradient: ParameterSet

    init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-15))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
    }

    mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, c, eps, lambda) = (moments.decay, moments.decay.corrections(atStep: context.step), epsilon, weightDecay)
        FusedUpdate.apply(&parameters.values, &moments.first, &moments.second, gradient: gradient.values) { theta, m, v, g in
            v = decay.second(v, g)
            m = decay.first(m, g / ((v / c.second).squareRoot() + eps))
            theta -= rate * (m / c.first + lambda * theta)
        }
    }

    var stateBytes: Int { moments.stateBytes }
}
// README-KIT-EXAMPLE-END

@Suite struct ReadmeKitExampleTests {
    @Test func readmeShowsThisExampleVerbatim() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let readme = try String(
            contentsOf: ReadmeExampleTests.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try #require(ReadmeExampleTests.between(source, "// README-KIT-EXAMPLE-BEGIN\n", "// README-KIT-EXAMPLE-END"))
        let shown = try #require(ReadmeExampleTests.between(readme, "<!-- kit-example -->\n```swift\n", "```"))
        #expect(shown == example)
    }

    /// Five steps against the paper's equations in Double (β₁ 0.9, β₂ 0.999, λ 0.5, constant
    /// η): from θ = 0 the first step is η·sign(centre), and later ones differ from Adam's,
    /// whose momentum is of the raw gradient.
    @Test func stepsFollowThePapersEquations() throws {
        let workload = QuadraticWorkload()
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 3))
        let hyperparameters = Hyperparameters.adamFamilyDefaults(
            learningRate: 0.01, warmupFraction: 0, adding: ["weight_decay": 0.5, "min_lr_factor": 1])
        var submission = try LaProp(
            info: workload.info, hyperparameters: hyperparameters, budget: Budget(maxRuntimeSeconds: 5, stepHint: 200))
        var parameters = workload.initialParameters(seed: 0)
        var theta = [Double](repeating: 0, count: 4), m = theta, v = theta
        let (beta1, beta2, rate, lambda) = (0.9, 0.999, 0.01, 0.5)
        for step in 0..<5 {
            oracle.drawBatch()
            try submission.step(
                &parameters, oracle: oracle, context: StepContext(step: step, stepHint: 200, submissionTime: 0, lastEvaluation: nil))
            let t = Double(step + 1)
            for j in 0..<4 {
                let g = Double(submission.gradient.values[j])
                v[j] = beta2 * v[j] + (1 - beta2) * g * g
                m[j] = beta1 * m[j] + (1 - beta1) * g / ((v[j] / (1 - pow(beta2, t))).squareRoot() + 1e-15)
                theta[j] -= rate * (m[j] / (1 - pow(beta1, t)) + lambda * theta[j])
                #expect(abs(Double(parameters.values[j]) - theta[j]) <= 1e-6 * max(abs(theta[j]), 0.01), "step \(step) θ[\(j)]")
            }
            if step == 0 {
                for (value, centre) in zip(parameters.values, workload.center) { #expect(abs(value - 0.01 * centre.signum) <= 1e-8) }
            }
        }
    }

    @Test func trainsToTheTarget() {
        let outcome = TrialRunner.run(
            workload: QuadraticWorkload(target: 0.05), submission: LaProp.self,
            hyperparameters: Hyperparameters.adamFamilyDefaults(learningRate: 0.05, warmupFraction: 0, adding: ["weight_decay": 0]),
            seed: 5, budget: Budget(maxRuntimeSeconds: 5, stepHint: 500), schedule: .steps(period: 10))
        #expect(outcome.status == .reachedTarget)
    }
}
