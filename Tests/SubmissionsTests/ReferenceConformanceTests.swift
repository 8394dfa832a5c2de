import Core
import Foundation
import NN
import Testing
@testable import Submissions

/// Every case made with the authors' (or the most trusted public) code passes, or its
/// submission declares the deviation with its reason and measured error. The cases are
/// read from `shared/conformance/reference` beside the repository (or beside one of its
/// parents, for a worktree) when it is there, else from the copy in
/// `Tests/Fixtures/reference`; `OPTBENCH_REFERENCE_DIR` overrides both.
@Suite struct ReferenceConformanceTests {
    static let fixtureDirectory = OptaxConformanceTests.repositoryRoot.appendingPathComponent("Tests/Fixtures/reference").path
    /// `shared/conformance/reference` beside the repository or one of its parents, if present.
    static let sharedDirectory: String? = {
        var folder = OptaxConformanceTests.repositoryRoot.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("shared/conformance/reference").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()
    static let caseDirectory: String =
        ProcessInfo.processInfo.environment["OPTBENCH_REFERENCE_DIR"] ?? sharedDirectory ?? fixtureDirectory

    static var caseNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: caseDirectory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The cases whose submissions declare a deviation (measured outside 1e-5 here).
    static let declared: Set<String> = ["adamw_8bit", "galore_gap5_wd", "lamb_wd", "sophia"]
    /// Declared, but within 1e-5 on this machine (9.9e-6): may come out either way elsewhere.
    static let declaredButWithinTolerance: Set<String> = ["lamb"]

    static func load(_ name: String) throws -> ConformanceCase {
        try ConformanceCase.load(contentsOf: "\(caseDirectory)/\(name).json")
    }

    /// The case as JSON with `change` applied to its top-level object, read back.
    static func altered(_ name: String, _ change: (inout [String: JSONValue]) -> Void) throws -> ConformanceCase {
        guard case .object(var fields) = try JSONValue.load(contentsOf: "\(caseDirectory)/\(name).json") else {
            throw InputError(source: name, field: nil, message: "not an object")
        }
        change(&fields)
        return try ConformanceCase(json: .object(fields), source: "altered-\(name).json")
    }

    @Test func fixturesMatchTheSharedCases() throws {
        try FixtureCopies.expectIdentical(fixtures: Self.fixtureDirectory, shared: Self.sharedDirectory, count: 26, label: "reference")
    }

    @Test func allTwentySixCasesArePresentAndAreReferenceCases() throws {
        #expect(Self.caseNames.count == 26, "expected the 26 reference cases in \(Self.caseDirectory)")
        for testCase in try ConformanceRunner.loadCases(directory: Self.caseDirectory) {
            #expect(testCase.isReferenceCase, "\(testCase.name) gives no hyperparameters")
            #expect(testCase.referenceVersion != nil, "\(testCase.name)")
        }
    }

    /// Each case passes over all its steps, or is exactly one of the declared deviations.
    @Test(arguments: caseNames)
    func casePassesOrIsDeclared(_ name: String) throws {
        let result = try ConformanceRunner.run(Self.load(name))
        #expect(result.steps == 20)
        switch result.status {
        case .pass:
            #expect(result.stepsMatched == result.steps)
            #expect(result.maxRelativeError <= 1e-5)
        case .declaredDeviation(let deviation):
            #expect(Self.declared.union(Self.declaredButWithinTolerance).contains(name), "\(name) is a declared deviation but not expected to be")
            #expect(deviation.caseName == name)
            #expect(result.maxRelativeError > 1e-5 && result.maxRelativeError <= deviation.measuredError * 1.01,
                    "\(name): \(result.maxRelativeError) vs declared \(deviation.measuredError)")
            #expect(!deviation.reason.isEmpty)
        case .fail, .retired:
            Issue.record("\(name): \(result.status.label), max relative error \(result.maxRelativeError) at \(result.worstLocation)")
        }
        if !Self.declared.union(Self.declaredButWithinTolerance).contains(name) { #expect(result.status == .pass, "\(name)") }
        if Self.declared.contains(name) { #expect(result.status != .pass, "\(name) now passes: drop its declaration") }
    }

    /// Adan, after the fix, matches the authors' rule (weight β₂ on the gradient difference)
    /// over all 20 steps; no deviation is declared for it.
    @Test func adanMatchesTheAuthorsCode() throws {
        let result = try ConformanceRunner.run(Self.load("adan"))
        #expect(result.status == .pass)
        #expect(result.stepsMatched == 20)
        #expect(result.maxRelativeError < 5e-6)
        #expect(!(Adan.self is any ConformanceDeviating.Type))
    }

    /// Sophia's default is the authors' script timing (sophia_script_timing passes); with
    /// `curvature_after_step = 0` it takes the paper's and matches sophia.json too.
    @Test func sophiaMatchesThePaperTimingWithItsFlag() throws {
        let paperTiming = try Self.altered("sophia") { fields in
            guard case .object(var h)? = fields["hyperparameters"] else { return }
            h["curvature_after_step"] = .number(0)
            fields["hyperparameters"] = .object(h)
        }
        let result = try ConformanceRunner.run(paperTiming)
        #expect(result.status == .pass)
        #expect(result.stepsMatched == 20)
        #expect(result.maxRelativeError < 1e-6)
    }

    /// Muon follows the authors' code (plain Nesterov blend, Adam for the other tensors)
    /// and matches it over all 20 steps; optax's variant is the two flags its mapping sets.
    @Test func muonMatchesTheAuthorsCodeAndOptaxThroughItsFlags() throws {
        let result = try ConformanceRunner.run(Self.load("muon"))
        #expect(result.status == .pass)
        #expect(result.stepsMatched == 20)
        #expect(!(Muon.self is any ConformanceDeviating.Type))
        var arguments = OptaxArguments(["learning_rate": .number(0.02)], source: "none")
        let mapped = try Muon.conformanceHyperparameters(optaxArguments: &arguments)
        #expect(mapped["momentum_bias_correction"] == 1 && mapped["adam_nesterov"] == 1)
        #expect(Muon.defaultHyperparameters["momentum_bias_correction"] == nil)
    }

    /// A wrong rule with no declaration fails; so does a declared case whose error grows
    /// past twice the declared measurement.
    @Test func undeclaredAndOverBoundFailuresFail() throws {
        let wrongAdan = try Self.altered("adan") { fields in
            guard case .object(var h)? = fields["hyperparameters"] else { return }
            h["one_minus_beta2"] = .number(0.3)
            fields["hyperparameters"] = .object(h)
        }
        let adan = try ConformanceRunner.run(wrongAdan)
        #expect(adan.status == .fail)
        #expect(!adan.status.isAcceptable)

        let heavierDecay = try Self.altered("lamb_wd") { fields in
            guard case .object(var h)? = fields["hyperparameters"] else { return }
            h["weight_decay"] = .number(1)
            fields["hyperparameters"] = .object(h)
        }
        let lamb = try ConformanceRunner.run(heavierDecay)
        #expect(lamb.status == .fail, "error \(lamb.maxRelativeError)")
        #expect(lamb.maxRelativeError > 2 * 1.78e-3)
    }

    /// SCALE's three groups are its own split; the same tensors in other roles are refused
    /// with the reason, and a group mixing matrices and vectors is refused by the default check.
    @Test func parameterGroupsAreHonouredOrRefused() throws {
        let swapped = try Self.altered("scale") { fields in
            fields["param_groups"] = .array([
                .object(["main_params": .array([.string("dense.weight"), .string("head.weight")])]),
                .object(["secondary_params": .array([.string("conv.weight")])]),
                .object(["oned_params": .array([.string("dense.bias")])]),
            ])
        }
        do {
            _ = try ConformanceRunner.run(swapped)
            Issue.record("a SCALE grouping unlike the submission's own was accepted")
        } catch let error as InputError {
            #expect(error.field == "param_groups")
            #expect(error.message.contains("main_params"))
        }
        let mixed = try Self.altered("galore") { fields in
            fields["param_groups"] = .array([
                .object(["params": .array([.string("dense.bias"), .string("dense.weight"), .string("conv.weight"), .string("head.weight")])]),
            ])
        }
        #expect(throws: InputError.self) { try ConformanceRunner.run(mixed) }
        let galore = try Self.load("galore")
        let groups = try #require(galore.parameterGroups)
        #expect(groups.map(\.role) == ["params", "params"])
        #expect(ConformanceRunner.defaultParameterGroupCheck(groups, layout: galore.layout) == nil)
    }

    /// The replay oracle serves the recorded loss, Hessian diagonal and training-set size.
    @Test func replayServesLossesHessiansAndTrainingExamples() throws {
        var layout = ParameterLayout()
        layout.add("w", shape: [3], kind: .bias)
        let workload = ReplayWorkload(
            name: "tiny", layout: layout, gradients: [[1, 2, 3], [4, 5, 6]], losses: [0.5, 0.25],
            hessianDiagonals: [[1, -2, 3], [0, 1, 2]], trainingExamples: 100)
        #expect(workload.info.trainingExamples == 100)
        let parameters = ParameterSet(layout: layout)
        var gradient = ParameterSet(layout: layout)
        #expect(workload.lossAndGradient(parameters, batch: 1, into: &gradient) == 0.25)
        #expect(gradient.values == [4, 5, 6])
        #expect(workload.loss(parameters, batch: 0) == 0.5)
        let vector = ParameterSet(layout: layout, values: [2, 2, -1])
        var product = ParameterSet(layout: layout)
        workload.hessianVectorProduct(parameters, batch: 0, vector: vector, into: &product)
        #expect(product.values == [2, -4, -3])
        let sps = try Self.load("sps")
        #expect(sps.trainingExamples == 100)
        #expect(sps.losses?.count == 20)
        let sophia = try Self.load("sophia")
        #expect(sophia.hessianDiagonals?.count == 20)
    }

    @Test func mismatchedRecordedLossesAreRejected() throws {
        #expect(throws: InputError.self) {
            try Self.altered("sps") { $0["losses"] = .array([.number(1)]) }
        }
    }
}
