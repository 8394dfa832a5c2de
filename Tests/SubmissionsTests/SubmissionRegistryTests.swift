import Core
import NN
import Testing
@testable import Submissions

/// Every registered submission: unique names, defaults inside its search space's names,
/// constructible, reports its state, and makes progress on a quadratic bowl.
@Suite struct SubmissionRegistryTests {
    @Test func namesAreUniqueAndComplete() {
        let names = SubmissionRegistry.names
        #expect(Set(names).count == names.count)
        let expected = [
            "sgd", "heavy_ball", "nesterov", "adam", "adamw", "nadamw", "amsgrad", "adamax", "radam", "adabelief", "yogi",
            "adagrad", "rmsprop", "adafactor", "sm3", "lamb", "lars", "lion", "signum", "novograd", "adan", "adopt",
            "ademamix", "schedule_free_adamw", "prodigy", "dadapt_adamw", "muon", "sam", "shampoo",
            // Recent optimizers I (memory-efficient and momentum-shaping).
            "grams", "mars_adamw", "adamw_8bit", "scale", "subset_norm", "galore", "subspace_momentum", "apollo", "apollo_mini",
            "frugal", "microadam", "cosmos",
            // Recent optimizers II (curvature, step-size, batch-size, zeroth-order).
            "sps", "polyak_momentum", "mezo", "adahessian", "sophia", "adadagrad", "adadagrad_norm", "sania", "fosi",
            "deepzero", "lamb_adaptive_batch",
            // Bilevel solvers.
            "soba", "amigo", "stocbio", "penalty", "f2sa", "borep",
        ]
        #expect(Set(names) == Set(expected))
        #expect(SubmissionRegistry.bilevelSolverNames == ["soba", "amigo", "stocbio", "penalty", "f2sa", "borep"])
        #expect(Set(SubmissionRegistry.genericNames).union(SubmissionRegistry.bilevelSolverNames) == Set(names))
    }

    @Test func everyOptaxCaseNameIsAConformantSubmission() {
        let conformant = SubmissionRegistry.all.filter { $0 is any OptaxConformant.Type }.map { $0.name }
        #expect(conformant.count == 26)
        // Adan follows the paper and its authors' code, not optax's `adan`: its optax case is retired.
        #expect(!conformant.contains("adan"))
        #expect(!conformant.contains("sam") && !conformant.contains("shampoo"))
    }

    /// Polyak-type methods set their own step size from loss values: they tune no learning rate.
    static let stepSizeFree: Set<String> = ["sps", "polyak_momentum", "sania"]

    @Test func searchSpacesCoverTheLearningRate() {
        for submission in SubmissionRegistry.all where !Self.stepSizeFree.contains(submission.name) {
            // Bilevel solvers tune an outer step size (the inner one is theirs too).
            let rate = submission is any BilevelSolver.Type ? "outer_step_size" : "learning_rate"
            #expect(submission.searchSpace.names.contains(rate), "\(submission.name)")
            #expect(submission.defaultHyperparameters[rate] != nil, "\(submission.name)")
        }
        for submission in SubmissionRegistry.all {
            for name in submission.searchSpace.names {
                #expect(submission.defaultHyperparameters[name] != nil, "\(submission.name): default lacks '\(name)'")
            }
        }
    }

    @Test(arguments: SubmissionRegistry.genericNames)
    func defaultsReduceTheLossOnABowl(_ name: String) throws {
        let bowl = QuadraticBowl()
        let submission = try SubmissionRegistry.submission(named: name)
        let start = bowl.lossValue(Self.start(bowl))
        let (final, stateBytes) = try Self.run(submission, on: bowl)
        #expect(final.isFinite)
        // Sign methods at small default rates and RAdam's built-in warmup move slowly in
        // 200 steps; every method must still descend by at least 1%.
        #expect(final < 0.99 * start, "\(name): loss \(start) → \(final)")
        // SGD keeps nothing; MeZO regenerates its direction from a seed instead of storing it.
        if ["sgd", "mezo"].contains(name) { #expect(stateBytes == 0) } else { #expect(stateBytes > 0, "\(name) reports no state") }
    }

    /// State sizes on the bowl (a 4 × 6 weight and a 6-vector: n = 30 floats), in bytes.
    @Test func stateBytesAreWhatEachMethodHolds() throws {
        let n = 30
        let expected: [String: Int] = [
            "sgd": 0, "heavy_ball": n, "nesterov": n, "adam": 2 * n, "adamw": 2 * n, "nadamw": 2 * n, "amsgrad": 3 * n,
            "adamax": 2 * n, "radam": 2 * n, "adabelief": 2 * n, "yogi": 2 * n, "adagrad": n,
            "rmsprop": 2 * n,  // second moment and momentum (default 0.9)
            "adafactor": n,  // below min_dim_size_to_factor: unfactored
            "sm3": n + (4 + 6) + 6, "lamb": 2 * n, "lars": n, "lion": n, "signum": n,
            "novograd": n + 2,  // one second moment per tensor
            "adan": 4 * n, "adopt": 2 * n, "ademamix": 3 * n, "schedule_free_adamw": 2 * n, "prodigy": 4 * n,
            "dadapt_adamw": 3 * n,
            "muon": n + 6,  // momentum everywhere, Adam's second moment on the bias only
            "sam": 3 * n,  // moments and the perturbed copy
            "shampoo": 2 * n + 2 * (4 * 4 + 6 * 6),
        ]
        // The recent methods check their (structured) state sizes in their own test files.
        let bowl = QuadraticBowl()
        for (name, floats) in expected {
            let submission = try SubmissionRegistry.submission(named: name)
            #expect(try Self.stateBytes(submission, bowl) == floats * 4, "\(name)")
        }
    }

    static func stateBytes<S: Submission>(_ type: S.Type, _ bowl: QuadraticBowl) throws -> Int {
        try S(info: bowl.info, hyperparameters: S.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 1, stepHint: 10)).stateBytes
    }

    @Test func invalidHyperparametersThrow() {
        let bowl = QuadraticBowl()
        let budget = Budget(maxRuntimeSeconds: 1, stepHint: 10)
        #expect(throws: HyperparameterError.self) {
            try Adam(info: bowl.info, hyperparameters: Adam.defaultHyperparameters.merging(Hyperparameters(["beta2": 1.5])), budget: budget)
        }
        #expect(throws: HyperparameterError.self) {
            try Lion(info: bowl.info, hyperparameters: Hyperparameters(["one_minus_beta1": 0.1, "beta2": 0.99]), budget: budget)
        }
    }

    /// All ones: a non-zero start, so relative-step methods (Adafactor) take real steps.
    static func start(_ bowl: QuadraticBowl) -> ParameterSet {
        ParameterSet(layout: bowl.info.layout, repeating: 1)
    }

    static func run<S: Submission>(_ type: S.Type, on bowl: QuadraticBowl) throws -> (loss: Float, stateBytes: Int) {
        var instance = try S(
            info: bowl.info, hyperparameters: S.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 10, stepHint: 200))
        let parameters = try bowl.train(&instance, steps: 200, from: start(bowl))
        return (bowl.lossValue(instance.parametersForEvaluation(parameters)), instance.stateBytes)
    }
}
