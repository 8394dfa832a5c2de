import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

@Suite struct TransformerWorkloadTests {
    /// Tiny settings of the real spec (or a variant) for fast tests; the stated entropies are
    /// recomputed for the overridden language.
    static func smallSpec(variant: String? = nil, _ extra: [String: JSONValue] = [:]) throws -> WorkloadSpec {
        var overrides: [String: JSONValue] = [
            "vocabulary_size": .number(9), "markov_order": .number(2), "branching": .number(2),
            "repeat_probability": .number(0.1), "repeat_length": .number(3), "context_length": .number(10),
            "train_sequences": .number(64), "validation_sequences": .number(32), "test_sequences": .number(32),
            "train_eval_sequences": .number(16), "d_model": .number(8), "heads": .number(2), "mlp_ratio": .number(2),
        ]
        overrides.merge(extra) { $1 }
        var spec = try WorkloadTestSupport.spec("transformer", variant: variant, overrides: overrides)
        Self.restateEntropies(&spec)
        return spec
    }

    /// Writes the exact entropy rate and Bayes limit of `spec`'s language into its settings.
    static func restateEntropies(_ spec: inout WorkloadSpec) {
        func integer(_ key: String) -> Int { if case .number(let x) = spec.settings[key] { return Int(x) } else { return -1 } }
        func number(_ key: String) -> Double { if case .number(let x) = spec.settings[key] { return x } else { return .nan } }
        let language = SyntheticLanguage(
            vocabularySize: integer("vocabulary_size"), order: integer("markov_order"), branching: integer("branching"),
            branchDecay: number("branch_decay"), repeatProbability: number("repeat_probability"),
            repeatLength: integer("repeat_length"), seed: 0)
        spec.settings["entropy_rate_nats"] = .number(language.entropyRate)
        spec.settings["bayes_limit_nats"] = .number(language.bayesCrossEntropy(predictions: integer("context_length")))
    }

    /// Central differences of the Float loss at `samples` random coordinates against the
    /// analytic gradient: `|analytic − numeric| ≤ tolerance · max(|analytic|, |numeric|) + floor`
    /// where `floor = 4 · ulp(loss) / 2h` is the resolution of a difference of two Float losses
    /// (entries below it cannot be checked by differences and are compared absolutely).
    /// Generic so the byte-level model on real text (`kjv`), the same network, is checked the same way.
    static func checkGradient<W: Workload>(
        _ w: W, parameters: ParameterSet, batch: W.Batch, samples: Int = 80, step: Float = 1e-2,
        tolerance: Double = 2e-2, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var gradient = ParameterSet.zeros(like: parameters)
        let loss = w.lossAndGradient(parameters, batch: batch, into: &gradient)
        var generator = RandomGenerator(seed: 3)
        let floor = 4 * Double(loss.ulp) / (2 * Double(step))
        var checked = 0, worst = 0.0, worstText = ""
        for i in generator.permutation(parameters.values.count).prefix(samples) {
            var plus = parameters, minus = parameters
            plus.values[i] += step
            minus.values[i] -= step
            let h = Double(plus.values[i]) - Double(minus.values[i])
            let numeric = (Double(w.loss(plus, batch: batch)) - Double(w.loss(minus, batch: batch))) / h
            let analytic = Double(gradient.values[i])
            let excess = abs(analytic - numeric) / (tolerance * max(abs(analytic), abs(numeric)) + floor)
            if abs(analytic) > 10 * floor { checked += 1 }
            if excess > worst { (worst, worstText) = (excess, "[\(i)] \(parameters.views.first { $0.range.contains(i) }!.name): analytic \(analytic), numeric \(numeric)") }
        }
        #expect(worst <= 1, "gradient: worst error \(worst) × allowed at \(worstText)", sourceLocation: sourceLocation)
        #expect(checked >= samples / 4, "only \(checked) of \(samples) sampled entries exceed the difference resolution \(floor)", sourceLocation: sourceLocation)
    }

    static func small(variant: String? = nil, _ extra: [String: JSONValue] = [:]) throws -> TransformerWorkload {
        try TransformerWorkload(spec: smallSpec(variant: variant, extra))
    }

    @Test func sameSeedGivesBitIdenticalDataParametersAndLoss() throws {
        let a = try Self.small(), b = try Self.small()
        #expect(a.trainingSet == b.trainingSet && a.validationSet == b.validationSet && a.testSet == b.testSet)
        let pa = a.initialParameters(seed: 5), pb = b.initialParameters(seed: 5)
        #expect(pa == pb)
        let batchA = a.makeDataStream(seed: 9).nextBatch(size: 8), batchB = b.makeDataStream(seed: 9).nextBatch(size: 8)
        #expect(batchA == batchB)
        #expect(a.loss(pa, batch: batchA).bitPattern == b.loss(pb, batch: batchB).bitPattern)
        var ga = ParameterSet.zeros(like: pa), gb = ParameterSet.zeros(like: pb)
        #expect(a.lossAndGradient(pa, batch: batchA, into: &ga).bitPattern == b.lossAndGradient(pb, batch: batchB, into: &gb).bitPattern)
        #expect(ga == gb)
        #expect(a.evaluate(pa) == b.evaluate(pb))
    }

    @Test func differentSeedsGiveDifferentDataParametersAndBatches() throws {
        let a = try Self.small(), b = try Self.small(["data_seed": .number(1)])
        #expect(a.trainingSet != b.trainingSet)
        #expect(a.language != b.language)
        #expect(a.initialParameters(seed: 1) != a.initialParameters(seed: 2))
        #expect(a.makeDataStream(seed: 1).nextBatch(size: 8) != a.makeDataStream(seed: 2).nextBatch(size: 8))
        // Splits are disjoint draws: validation differs from training.
        #expect(a.validationSet.tokens != Array(a.trainingSet.tokens.prefix(a.validationSet.tokens.count)))
    }

    @Test func sequencesAreDrawnFromTheLanguageWithTheirOwnSeeds() throws {
        let w = try Self.small()
        #expect(w.trainingSet.count == 64 && w.trainingSet.length == 11)
        var generator = RandomGenerator(seed: TransformerWorkload.sequenceSeed(dataSeed: 0, split: "validation", index: 3))
        let expected = w.language.sample(length: 11, using: &generator)
        #expect(Array(w.validationSet.tokens[33..<44]) == expected)
        // A larger training set keeps its first sequences.
        let larger = try Self.small(["train_sequences": .number(100)])
        #expect(Array(larger.trainingSet.tokens.prefix(64 * 11)) == w.trainingSet.tokens)
    }

    @Test(arguments: [nil, "transformer_postln", "transformer_glu"] as [String?])
    func gradientMatchesCentralDifferences(variant: String?) throws {
        let w = try Self.small(variant: variant)
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 4)
        Self.checkGradient(w, parameters: p, batch: batch)
        // Every parameter tensor receives gradient (positions beyond the context excepted: none here).
        var g = ParameterSet.zeros(like: p)
        _ = w.lossAndGradient(p, batch: batch, into: &g)
        for view in p.views {
            let norm = g.withUnsafeBufferPointer(view) { $0.reduce(0) { $0 + $1 * $1 } }
            #expect(norm > 0, "no gradient reaches \(view.name)")
        }
    }

    @Test func hessianVectorProductMatchesGradientDifferences() throws {
        let w = try Self.small()
        let p = w.initialParameters(seed: 1)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 4)
        let v = WorkloadTestSupport.randomDirection(like: p, seed: 4)
        WorkloadTestSupport.checkHessianVectorProduct(w, parameters: p, batch: batch, vector: v, step: 3e-2, tolerance: 0.1)
    }

    @Test func initialLossIsCloseToUniformOverTheVocabulary() throws {
        let w = try Self.small()
        let metrics = w.evaluate(w.initialParameters(seed: 1))
        #expect(abs(metrics.validationMetric - log(9.0)) < 0.05, "initial validation cross-entropy \(metrics.validationMetric), log V = \(log(9.0))")
    }

    /// The metric's floor: the true conditional model's cross-entropy on the validation set
    /// equals the exact Bayes limit within 4 standard errors (over sequences).
    @Test func trueModelCrossEntropyOnTheValidationSetIsTheBayesLimit() throws {
        let w = try Self.small(["validation_sequences": .number(3000), "context_length": .number(40)])
        let perSequence = (0..<w.validationSet.count).map { b in
            w.language.trueNegativeLogLikelihood(of: Array(w.validationSet.tokens[(b * 41)..<((b + 1) * 41)])) / 40
        }
        let mean = perSequence.reduce(0, +) / Double(perSequence.count)
        let variance = perSequence.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(perSequence.count - 1)
        let standardError = (variance / Double(perSequence.count)).squareRoot()
        #expect(abs(w.trueModelCrossEntropy(w.validationSet) - mean) < 1e-12)
        #expect(abs(mean - w.bayesLimit) < 4 * standardError, "true-model cross-entropy \(mean) ± \(standardError), limit \(w.bayesLimit)")
        #expect(abs(w.bayesLimit - w.settings.bayesLimit) <= TransformerSettings.statedEntropyTolerance)
    }

    @Test func defaultModelHasTheExpectedParameterLayout() throws {
        let spec = try WorkloadTestSupport.realSpec("transformer")
        let s = try TransformerSettings(spec: spec)
        let model = TransformerModel(settings: s)
        let (v, d, t, h) = (s.vocabularySize, s.modelDimension, s.contextLength, s.mlpHiddenWidth)
        let block = (4 * d * d + 4 * d) + 2 * (2 * d) + (d * h + h + h * d + d)
        #expect(model.layout.count == v * d + t * d + s.layers * block + 2 * d + d * v + v)
        let kinds = Set(model.layout.views.map(\.kind))
        #expect(kinds == [.embedding, .normScale, .normShift, .attentionQ, .attentionK, .attentionV, .attentionOut, .weight, .bias])
        // GLU: the hidden width is two thirds of the ratio's, rounded up to a multiple of 8.
        let glu = try TransformerSettings(spec: try #require(spec.variants.first { $0.name == "transformer_glu" }))
        #expect(glu.mlpHiddenWidth % 8 == 0 && abs(Double(glu.mlpHiddenWidth) - Double(2 * s.mlpRatio * d) / 3) < 8)
    }

    @Test func gegluComputesValueTimesGeluOfGate() {
        let layer = GEGLU("g", width: 2)
        let x = Tensor(shape: [1, 4], scalars: [2, -3, 0, 10])
        let y = layer.forward(x, parameters: ParameterSet(layout: ParameterLayout()))
        #expect(y.shape == [1, 2])
        #expect(y.scalars[0] == 0)  // gelu(0) = 0
        #expect(abs(y.scalars[1] - -30) < 1e-4)  // gelu(10) ≈ 10
    }

    @Test func learnedPositionsAddTheirRowToEverySequence() {
        var layout = ParameterLayout()
        let layer = LearnedPositions("p", maxLength: 3, dimension: 2, standardDeviation: 1, layout: &layout)
        let p = ParameterSet(layout: layout, values: [1, 2, 3, 4, 5, 6])
        let x = Tensor(shape: [2, 2, 2], repeating: 10)
        #expect(layer.forward(x, parameters: p).scalars == [11, 12, 13, 14, 11, 12, 13, 14])
        var g = ParameterSet.zeros(like: p)
        let dx = layer.backward(Tensor(shape: [2, 2, 2], scalars: [1, 1, 1, 1, 2, 2, 2, 2]), parameters: p, gradient: &g)
        #expect(g.values == [3, 3, 3, 3, 0, 0])
        #expect(dx.scalars == [1, 1, 1, 1, 2, 2, 2, 2])
    }

    @Test func adamTrainingLowersTheLossBelowTheUnigramEntropy() throws {
        // A bigram language (order 1) that a 16-wide model learns within a few hundred steps.
        let w = try Self.small(["train_sequences": .number(512), "d_model": .number(16), "markov_order": .number(1)])
        let before = w.evaluate(w.initialParameters(seed: 1))
        let trained = WorkloadTestSupport.adam(w, seed: 1, steps: 150, learningRate: 1e-2, batchSize: 16)
        let after = w.evaluate(trained)
        let unigram = w.language.unigramEntropy(length: 11, sequences: 2000, seed: 3)
        #expect(after.trainLoss < before.trainLoss - 0.5, "train loss \(before.trainLoss) → \(after.trainLoss)")
        #expect(after.validationMetric < unigram - 0.2, "validation \(after.validationMetric), unigram entropy \(unigram), limit \(w.bayesLimit)")
        #expect(after.validationMetric > w.bayesLimit - 0.05)
    }

    @Test func realSpecLoadsWithItsVariantsAndStatesTheExactEntropies() throws {
        let spec = try WorkloadTestSupport.realSpec("transformer")
        #expect(spec.variants.map(\.name) == ["transformer_postln", "transformer_glu"])
        #expect(spec.metric == "cross_entropy" && spec.direction == .minimize && spec.lossType == .softmaxCrossEntropy)
        let s = try TransformerSettings(spec: spec)
        let language = s.makeLanguage()
        #expect(abs(s.entropyRate - language.entropyRate) <= TransformerSettings.statedEntropyTolerance)
        #expect(abs(s.bayesLimit - language.bayesCrossEntropy(predictions: s.contextLength)) <= TransformerSettings.statedEntropyTolerance)
        // Targets read as a margin over the limit: above it, below the unigram entropy.
        let unigram = language.unigramEntropy(length: s.contextLength + 1, sequences: 200, seed: 1)
        for candidate in [spec] + spec.variants {
            #expect(candidate.validationTarget > s.bayesLimit && candidate.validationTarget < unigram)
            #expect(candidate.testTarget > s.bayesLimit && candidate.testTarget < unigram)
        }
        let postln = try TransformerSettings(spec: try #require(spec.variants.first { $0.name == "transformer_postln" }))
        #expect(postln.normPosition == .post && postln.mlp == .gelu)
    }

    @Test func specErrorsNameTheField() throws {
        func message(_ mutate: (inout WorkloadSpec) -> Void) throws -> String {
            var spec = try Self.smallSpec()
            mutate(&spec)
            do {
                _ = try TransformerSettings(spec: spec)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(try message { _ in } == "accepted")
        #expect(try message { $0.settings["entropy_rate_nats"] = .number(0.5) }.contains("entropy_rate_nats"))
        #expect(try message { $0.settings["bayes_limit_nats"] = .number(9) }.contains("bayes_limit_nats"))
        #expect(try message { $0.settings["heads"] = .number(3) }.contains("heads"))
        #expect(try message { $0.settings["norm_position"] = .string("middle") }.contains("norm_position"))
        #expect(try message { $0.settings["dmodel"] = .number(8) }.contains("dmodel"))
        #expect(try message { $0.settings.removeValue(forKey: "layers") }.contains("layers"))
        #expect(try message { $0.settings["branching"] = .number(9) }.contains("branching"))
        #expect(try message { $0.settings["context_length"] = .string("long") }.contains("context_length"))
    }

    /// The sgemm rate of this process right now (GFLOP/s, 512³, about 0.3 s), to read step
    /// times measured on a shared machine.
    static func sgemmRate() -> Double {
        let n = 512
        let a = [Float](repeating: 1, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var calls = 0
        let start = Date()
        while Date().timeIntervalSince(start) < 0.3 {
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { cp in
                    BLAS.gemm(.none, .none, m: n, n: n, k: n, a: ap.baseAddress!, b: ap.baseAddress!, c: cp.baseAddress!)
                }
            }
            calls += 1
        }
        return 2 * Double(n * n * n) * Double(calls) / Date().timeIntervalSince(start) / 1e9
    }

    /// Calibration probe (OPTBENCH_CALIBRATE=1, release build): parameter count, step time at
    /// the default batch size, and time-bounded Adam runs (cosine decay over the steps that
    /// fit in OPTBENCH_SECONDS, default 15 s) on a learning-rate grid. Extra settings come from
    /// OPTBENCH_TRANSFORMER_SETTINGS (JSON object), the batch size from OPTBENCH_BATCH.
    @Test(.enabled(if: WorkloadTestSupport.calibrationEnabled), arguments: ["transformer", "transformer_postln", "transformer_glu"])
    func calibrationProbe(name: String) throws {
        let environment = ProcessInfo.processInfo.environment
        if let only = environment["OPTBENCH_ONLY"], only != name { return }
        let base = try WorkloadTestSupport.realSpec("transformer")
        var spec = name == base.name ? base : try #require(base.variants.first { $0.name == name })
        if let text = environment["OPTBENCH_TRANSFORMER_SETTINGS"], case .object(let extra) = try JSONValue.parse(Data(text.utf8), source: "env") {
            for (key, value) in extra { spec.settings[key] = value }
            Self.restateEntropies(&spec)
        }
        if let batch = environment["OPTBENCH_BATCH"].flatMap(Int.init) { spec.defaultBatchSize = batch }
        let seconds = environment["OPTBENCH_SECONDS"].flatMap(Double.init) ?? 15
        let rates = (environment["OPTBENCH_RATES"] ?? "0.001,0.003").split(separator: ",").compactMap { Float($0) }
        let start = Date()
        let w = try TransformerWorkload(spec: spec)
        let buildTime = Date().timeIntervalSince(start)
        let unigram = w.language.unigramEntropy(length: w.settings.contextLength + 1, sequences: 500, seed: 1)
        let stepTime = WorkloadTestSupport.stepTime(w, steps: 10)
        let t0 = Date()
        _ = w.evaluate(w.initialParameters(seed: 1))
        print("\(name): build \(buildTime) s, \(w.info.layout.count) parameters, step \(stepTime * 1e3) ms at batch \(w.info.defaultBatchSize) (\(Double(w.info.defaultBatchSize * w.settings.contextLength) / stepTime) tokens/s), eval \(Date().timeIntervalSince(t0)) s; rate \(w.language.entropyRate), limit \(w.bayesLimit), unigram \(unigram), true model on validation \(w.trueModelCrossEntropy(w.validationSet))")
        print("\(name): sgemm 512³ now runs at \(Self.sgemmRate()) GFLOP/s (the idle machine: about 190)")
        let steps = environment["OPTBENCH_STEPS"].flatMap(Int.init) ?? max(1, Int(seconds / stepTime))
        for rate in rates {
            var curve: [String] = []
            let final = WorkloadTestSupport.adam(w, seed: 1, steps: steps, learningRate: rate, onEvaluation: { step, p in
                curve.append(String(format: "%d:%.3f", step, w.evaluate(p).validationMetric))
                return false
            }, evaluateEvery: max(1, steps / 6))
            let m = w.evaluate(final)
            print("\(name) lr \(rate) \(steps) steps: final val \(m.validationMetric) test \(m.testMetric) train \(m.trainLoss); curve \(curve.joined(separator: " "))")
        }
    }
}
