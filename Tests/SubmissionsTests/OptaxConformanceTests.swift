import Core
import Foundation
import NN
import Testing
@testable import Submissions

/// Every optax reference case must be reproduced by its submission within the
/// submission's stated tolerance, except a retired one (optax's `adan`, whose rule the
/// submission no longer follows; see `ConformanceRunner.retiredReferences`). The cases are read from `shared/conformance/optax`
/// beside the repository (`../shared`, or beside one of its parent folders for a
/// worktree) when it is there, else from the copy in `Tests/Fixtures/optax`, so a clone
/// anywhere passes; the environment variable `OPTBENCH_CONFORMANCE_DIR` overrides both.
@Suite struct OptaxConformanceTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The project's own copy of the cases.
    static let fixtureDirectory = repositoryRoot.appendingPathComponent("Tests/Fixtures/optax").path
    /// `shared/conformance/optax` beside the repository or one of its parents, if present.
    static let sharedDirectory: String? = {
        var folder = repositoryRoot.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("shared/conformance/optax").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()
    static let caseDirectory: String =
        ProcessInfo.processInfo.environment["OPTBENCH_CONFORMANCE_DIR"] ?? sharedDirectory ?? fixtureDirectory

    /// The project's copy holds the same 27 files as `../shared`, byte for byte, where both
    /// are present (so the fallback never tests against stale references).
    @Test func fixturesMatchTheSharedCases() throws {
        try FixtureCopies.expectIdentical(fixtures: Self.fixtureDirectory, shared: Self.sharedDirectory, count: 27, label: "optax")
    }

    static var caseNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: caseDirectory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    @Test func allTwentySevenCasesArePresent() {
        #expect(Self.caseNames.count == 27, "expected the 27 optax cases in \(Self.caseDirectory)")
    }

    /// The trajectory digest is a function of the update's bits: the same case run twice
    /// gives the same digest, and another rule on the same case (NAdamW on AdamW's case,
    /// within the tolerance of each other for a few steps) gives another.
    @Test func trajectoryDigestIsRepeatableAndSeesTheRule() throws {
        let testCase = try ConformanceCase.load(contentsOf: "\(Self.caseDirectory)/adamw.json")
        let first = try ConformanceRunner.run(testCase, as: AdamW.self)
        let second = try ConformanceRunner.run(testCase, as: AdamW.self)
        var arguments = OptaxArguments(testCase.arguments, source: testCase.source)
        let mapped = try AdamW.conformanceHyperparameters(optaxArguments: &arguments)
        let other = try ConformanceRunner.replay(testCase, as: NAdamW.self, hyperparameters: mapped, tolerance: 1e-5)
        #expect(first.trajectoryDigest.count == 64)
        #expect(first.trajectoryDigest.allSatisfy { $0.isHexDigit })
        #expect(first.trajectoryDigest == second.trajectoryDigest)
        #expect(first.trajectoryDigest != other.trajectoryDigest)
    }

    /// Every optax case passes, except the retired ones (only `adan`).
    @Test(arguments: caseNames)
    func casePasses(_ name: String) throws {
        let testCase = try ConformanceCase.load(contentsOf: "\(Self.caseDirectory)/\(name).json")
        let result = try ConformanceRunner.run(testCase)
        if case .retired = result.status {
            #expect(name == "adan", "\(name) is retired")
            return
        }
        #expect(
            result.passed,
            "\(name): max relative error \(result.maxRelativeError) at \(result.worstLocation) exceeds \(result.tolerance)")
        #expect(result.steps == testCase.trajectory.count)
        #expect(result.stepsMatched == result.steps)
    }

    /// optax's `adan` weights the gradient difference by 1 − β₂ where the paper and the
    /// authors' code use β₂; the submission follows the latter, so the case is retired
    /// with its reason, and replaying it with the nearest mapping really does fail.
    @Test func optaxAdanIsRetiredWithItsReason() throws {
        let testCase = try ConformanceCase.load(contentsOf: "\(Self.caseDirectory)/adan.json")
        let result = try ConformanceRunner.run(testCase)
        guard case .retired(let reason) = result.status else {
            Issue.record("optax adan is \(result.status.label), expected retired")
            return
        }
        #expect(reason.contains("β₂"))
        #expect(result.status.isAcceptable)
        // optax's kwargs under the submission's names: the rules part once Δ ≠ 0 (step 1 on).
        let kwargs = testCase.arguments
        func number(_ key: String) -> Double {
            if case .number(let x)? = kwargs[key] { return x }
            return .nan
        }
        let mapped = Hyperparameters([
            "learning_rate": number("learning_rate"), "one_minus_beta1": 1 - number("b1"),
            "one_minus_beta2": 1 - number("b2"), "one_minus_beta3": 1 - number("b3"),
            "epsilon": number("eps"), "epsilon_root": 1e-8, "weight_decay": number("weight_decay"),
        ])
        let replayed = try ConformanceRunner.replay(testCase, as: Adan.self, hyperparameters: mapped, tolerance: 1e-5)
        #expect(replayed.status == .fail)
        #expect(replayed.stepsMatched == 1)
        #expect(replayed.maxRelativeError > 1e-3)
    }

    @Test func aWrongRuleFails() throws {
        // Adam's trajectory replayed with AdamW's default-free mapping but a different β₁
        // must not pass: the comparison can fail.
        var testCase = try ConformanceCase.load(contentsOf: "\(Self.caseDirectory)/adam.json")
        var arguments = testCase.arguments
        arguments["b1"] = .number(0.7)
        testCase = try ConformanceCase(json: Self.json(testCase, arguments: arguments), source: testCase.source)
        let result = try ConformanceRunner.run(testCase)
        #expect(!result.passed)
        #expect(result.maxRelativeError > 1e-3)
    }

    @Test func unsupportedOptaxArgumentIsRejected() throws {
        let testCase = try ConformanceCase.load(contentsOf: "\(Self.caseDirectory)/adam.json")
        var arguments = testCase.arguments
        arguments["nesterov"] = .bool(true)
        let altered = try ConformanceCase(json: Self.json(testCase, arguments: arguments), source: "altered.json")
        #expect(throws: InputError.self) { try ConformanceRunner.run(altered) }
    }

    @Test func malformedCaseNamesFileAndField() throws {
        let json = try JSONValue.parse(Data(#"{"optimizer":"sgd","reference":"optax.sgd","kwargs":{"learning_rate":0.1},"shapes":{"w":[2]},"initial":{"w":[1,2]},"gradients":[{"w":[1]}],"trajectory":[{"w":[1,2]}]}"#.utf8), source: "bad.json")
        do {
            _ = try ConformanceCase(json: json, source: "bad.json")
            Issue.record("a gradient of the wrong length was accepted")
        } catch let error as InputError {
            #expect(error.source == "bad.json")
            #expect(error.field == "gradients[0].w")
        }
    }

    @Test func unknownFieldIsRejected() throws {
        let json = try JSONValue.parse(Data(#"{"optimizer":"sgd","reference":"optax.sgd","kwargs":{"learning_rate":0.1},"shapes":{"w":[2]},"initial":{"w":[1,2]},"gradients":[{"w":[1,1]}],"trajectory":[{"w":[0.9,1.9]}],"extra":1}"#.utf8), source: "bad.json")
        #expect(throws: InputError.self) { try ConformanceCase(json: json, source: "bad.json") }
    }

    @Test func tinyHandWrittenSGDCasePasses() throws {
        let json = try JSONValue.parse(Data(#"{"optimizer":"sgd","reference":"optax.sgd","kwargs":{"learning_rate":0.5},"shapes":{"w":[2,1]},"initial":{"w":[1,2]},"gradients":[{"w":[1,-2]},{"w":[0.5,0]}],"trajectory":[{"w":[0.5,3]},{"w":[0.25,3]}]}"#.utf8), source: "tiny.json")
        let result = try ConformanceRunner.run(ConformanceCase(json: json, source: "tiny.json"))
        #expect(result.passed)
        #expect(result.maxAbsoluteError == 0)
    }

    @Test func loadCasesReadsTheWholeDirectoryInNameOrder() throws {
        let cases = try ConformanceRunner.loadCases(directory: Self.caseDirectory)
        #expect(cases.map(\.name) == Self.caseNames)
        #expect(throws: InputError.self) { try ConformanceRunner.loadCases(directory: "/nonexistent-conformance-dir") }
    }

    /// A coordinate crossing zero is judged against its tensor's scale, not its own value:
    /// 1e-9 off a reference of 1e-9 in a tensor of RMS ≈ 0.7 is a relative error ≈ 1.4e-9.
    @Test func errorsAreRelativeToTheTensorScale() throws {
        let json = try JSONValue.parse(Data(#"{"optimizer":"sgd","reference":"optax.sgd","kwargs":{"learning_rate":1},"shapes":{"w":[2]},"initial":{"w":[0,1]},"gradients":[{"w":[0,0]}],"trajectory":[{"w":[1e-9,1]}]}"#.utf8), source: "scale.json")
        let result = try ConformanceRunner.run(ConformanceCase(json: json, source: "scale.json"))
        #expect(result.maxAbsoluteError == Double(Float(1e-9)))
        #expect(abs(result.maxRelativeError - Double(Float(1e-9)) / 0.5.squareRoot()) < 1e-15)
        #expect(result.passed)
        #expect(result.worstLocation == "step 0 w[0]")
    }

    static func json(_ c: ConformanceCase, arguments: [String: JSONValue]) -> JSONValue {
        func values(_ flat: [Float]) -> JSONValue {
            .object(Dictionary(uniqueKeysWithValues: c.layout.views.map { view in
                (view.name, JSONValue.array(flat[view.range].map { .number(Double($0)) }))
            }))
        }
        return .object([
            "optimizer": .string(c.optimizer), "reference": .string(c.reference), "kwargs": .object(arguments),
            "shapes": .object(Dictionary(uniqueKeysWithValues: c.layout.views.map { ($0.name, .array($0.shape.map { .number(Double($0)) })) })),
            "initial": values(c.initial), "gradients": .array(c.gradients.map(values)),
            "trajectory": .array(c.trajectory.map(values)),
        ])
    }
}
