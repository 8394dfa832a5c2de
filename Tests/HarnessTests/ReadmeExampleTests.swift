import Core
import Foundation
import NN
import Submissions
import Testing
import Workloads
@testable import Harness

// The README's "Adding a submission" example, verbatim between the markers: the test
// below checks the README still shows exactly this code, and runs it.
// README-EXAMPLE-BEGIN
import Core
import NN

/// Sign descent, θ ← θ − η·sign(∇L) (Bernstein et al., "signSGD: Compressed
/// Optimisation for Non-Convex Problems", ICML 2018), at a constant rate η.
struct SignDescent: Submission {
    static let name = "sign_descent"
    static let searchSpace = SearchSpace(["learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log)])
    static let defaultHyperparameters = Hyperparameters(["learning_rate": 1e-3])

    let learningRate: Float
    var gradient: ParameterSet

    init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        learningRate = Float(try hyperparameters.value("learning_rate"))
        gradient = ParameterSet(layout: info.layout)
    }

    mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        for i in parameters.values.indices {
            let g = gradient.values[i]
            parameters.values[i] -= learningRate * (g > 0 ? 1 : (g < 0 ? -1 : 0))
        }
    }

    var stateBytes: Int { 0 }
}
// README-EXAMPLE-END

@Suite struct ReadmeExampleTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func readmeShowsThisExampleVerbatim() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let readme = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try #require(Self.between(source, "// README-EXAMPLE-BEGIN\n", "// README-EXAMPLE-END"))
        let shown = try #require(Self.between(readme, "<!-- submission-example -->\n```swift\n", "```"))
        #expect(shown == example)
    }

    @Test func exampleSubmissionTrainsAndReachesTheTarget() {
        let outcome = TrialRunner.run(
            workload: QuadraticWorkload(target: 0.05), submission: SignDescent.self,
            hyperparameters: Hyperparameters(["learning_rate": 0.02]), seed: 5,
            budget: Budget(maxRuntimeSeconds: 5, stepHint: 500), schedule: .steps(period: 10))
        #expect(outcome.status == .reachedTarget)
        #expect(outcome.stepsToTarget.map { $0 > 50 && $0 < 500 } == true)
    }

    @Test func readmeNamesEveryRegisteredSubmissionAndWorkload() throws {
        let readme = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for name in SubmissionRegistry.names + WorkloadRegistry.names {
            #expect(readme.contains("`\(name)`"), "README.md does not mention `\(name)`")
        }
    }

    static func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }
}
