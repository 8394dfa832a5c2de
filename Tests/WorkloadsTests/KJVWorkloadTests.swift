import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

/// The `kjv` byte-level language model: the corpus blocks and windows, the corpus file's
/// checks, gradients of a tiny model, constructed constant and perfect predictors, and the
/// real spec and corpus (`make deps` writes `data/kjv.txt`).
@Suite struct KJVWorkloadTests {
    typealias Fixtures = RealDataFixtures

    /// Seeded English-like text of `count` bytes: words from a small list, spaces, newlines.
    static func text(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        let words = ["and", "the", "of", "unto", "he", "said", "lord", "god", "them", "in", "that", "earth"]
        var generator = RandomGenerator(seed: seed)
        var bytes = [UInt8]()
        while bytes.count < count {
            bytes += Array(words[generator.nextInt(below: words.count)].utf8)
            bytes.append(generator.nextInt(below: 8) == 0 ? 10 : 32)
        }
        return Array(bytes.prefix(count))
    }

    /// A spec for a tiny model (context 8, width 8) on a corpus of `bytes`, written to a
    /// temporary file the spec names with its size and digest.
    static func spec(bytes: [UInt8], validation: Int = 161, test: Int = 81, context: Int = 8) throws -> (spec: WorkloadSpec, path: String) {
        let path = try Fixtures.folder() + "/corpus.txt"
        try Fixtures.write(bytes, to: path)
        let spec = try WorkloadTestSupport.spec("kjv", overrides: [
            "corpus_file": .string(path), "corpus_bytes": .number(Double(bytes.count)), "corpus_sha256": .string(SHA256.hexDigest(bytes)),
            "validation_bytes": .number(Double(validation)), "test_bytes": .number(Double(test)), "context_length": .number(Double(context)),
            "train_eval_windows": .number(4), "d_model": .number(8), "heads": .number(2), "layers": .number(1), "mlp_ratio": .number(2),
        ])
        return (spec, path)
    }

    @Test func blocksAreContiguousDisjointAndAddUp() {
        let corpus = ByteCorpus(bytes: Self.text(1000), validationBytes: 100, testBytes: 50)
        #expect(corpus.training == 0..<850 && corpus.validation == 850..<950 && corpus.test == 950..<1000)
        #expect(corpus.training.count + corpus.validation.count + corpus.test.count == corpus.bytes.count)
        #expect(!corpus.training.overlaps(corpus.validation) && !corpus.validation.overlaps(corpus.test) && !corpus.training.overlaps(corpus.test))
    }

    /// Evaluation windows share their boundary byte, so every byte of the block but the
    /// first is predicted once, up to the last whole window.
    @Test func evaluationWindowsPredictEveryByteOnce() {
        let bytes = Self.text(400)
        let corpus = ByteCorpus(bytes: bytes, validationBytes: 81, testBytes: 30)
        let windows = corpus.evaluationWindows(corpus.validation, contextLength: 8)
        #expect(windows.count == 10 && windows.length == 9 && windows.predictions == 80)
        var predicted: [Int32] = []
        for w in 0..<windows.count { predicted += windows.tokens[(w * 9 + 1)..<(w * 9 + 9)] }
        #expect(predicted == bytes[(corpus.validation.lowerBound + 1)..<corpus.validation.upperBound].map { Int32($0) })
        #expect(corpus.evaluationWindows(corpus.test, contextLength: 8).count == 3)  // 29 predictions: 3 whole windows
        #expect(corpus.evaluationWindows(corpus.training, contextLength: 8, limit: 4).tokens == bytes[0..<9].map { Int32($0) } + bytes[8..<17].map { Int32($0) } + bytes[16..<25].map { Int32($0) } + bytes[24..<33].map { Int32($0) })
    }

    @Test func trainingWindowsAreSeededAndStayInTheTrainingBlock() throws {
        let bytes = Self.text(300)
        let (spec, _) = try Self.spec(bytes: Self.text(300))
        let w = try KJVWorkload(spec: spec)
        let a = w.makeDataStream(seed: 3).nextBatch(size: 200)
        #expect(a == w.makeDataStream(seed: 3).nextBatch(size: 200))
        #expect(a != w.makeDataStream(seed: 4).nextBatch(size: 200))
        // Each window is a substring of the training block, found where its first byte is.
        let training = Array(bytes[w.corpus.training])
        for k in 0..<a.count {
            let window = a.tokens[(k * 9)..<((k + 1) * 9)].map { UInt8($0) }
            let found = (0...(training.count - 9)).contains { Array(training[$0..<($0 + 9)]) == window }
            #expect(found, "window \(k) is not in the training block")
        }
        #expect(w.info.trainingExamples == w.corpus.training.count - 8)
    }

    @Test func gradientMatchesCentralDifferences() throws {
        let (spec, _) = try Self.spec(bytes: Self.text(300))
        let w = try KJVWorkload(spec: spec)
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 4)
        TransformerWorkloadTests.checkGradient(w, parameters: w.initialParameters(seed: 1), batch: batch)
    }

    /// All-zero parameters but the head's bias `b`: every prediction is `softmax(b)`, so the
    /// bits per byte are exactly 8 for `b = 0` (uniform over bytes), and the cross-entropy
    /// of the predicted bytes' empirical distribution for `b = log(frequencies)`.
    @Test func constantPredictorsScoreTheirCrossEntropy() throws {
        let bytes = Self.text(600)
        let (spec, _) = try Self.spec(bytes: bytes)
        let w = try KJVWorkload(spec: spec)
        var p = ParameterSet(layout: w.model.layout)
        let uniform = w.evaluate(p)
        #expect(abs(uniform.validationMetric - 8) < 1e-5 && abs(uniform.testMetric - 8) < 1e-5)
        #expect(abs(uniform.trainLoss - 8 * log(2)) < 1e-5)

        let predicted = bytes[(w.corpus.validation.lowerBound + 1)..<w.corpus.validation.upperBound]
        var counts = [Double](repeating: 0, count: 256)
        for byte in predicted { counts[Int(byte)] += 1 }
        let view = try #require(p.views.first { $0.name == "head.bias" })
        p.withUnsafeMutableBufferPointer(view) { b in
            for i in 0..<256 { b[i] = counts[i] > 0 ? Float(log(counts[i] / Double(predicted.count))) : -30 }
        }
        let entropyBits = -counts.filter { $0 > 0 }.map { $0 / Double(predicted.count) * log2($0 / Double(predicted.count)) }.reduce(0, +)
        #expect(abs(w.evaluate(p).validationMetric - entropyBits) < 1e-4, "entropy \(entropyBits) bits")
    }

    /// On a corpus of one repeated byte, the constant predictor peaked on it is perfect:
    /// (almost) zero bits per byte.
    @Test func aPerfectPredictorScoresZeroBits() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 400)
        let (spec, _) = try Self.spec(bytes: bytes)
        let w = try KJVWorkload(spec: spec)
        var p = ParameterSet(layout: w.model.layout)
        let view = try #require(p.views.first { $0.name == "head.bias" })
        p.withUnsafeMutableBufferPointer(view) { b in b[Int(UInt8(ascii: "a"))] = 40 }
        let metrics = w.evaluate(p)
        #expect(metrics.validationMetric < 1e-9 && metrics.testMetric < 1e-9 && metrics.trainLoss < 1e-9)
    }

    @Test func aMissingOrChangedCorpusNamesTheFileAndMakeDeps() throws {
        let (spec, path) = try Self.spec(bytes: Self.text(300))
        var changed = Self.text(300)
        changed[10] = UInt8(ascii: "X")
        try Fixtures.write(changed, to: path)
        let corrupt = try #require(Fixtures.inputError { _ = try KJVWorkload(spec: spec) })
        #expect(corrupt.source == path && corrupt.message.contains("SHA-256") && corrupt.message.contains("make deps"))
        try FileManager.default.removeItem(atPath: path)
        let missing = try #require(Fixtures.inputError { _ = try KJVWorkload(spec: spec) })
        #expect(missing.source == path && missing.message.hasPrefix("no such file") && missing.message.contains("make deps"))
        try Fixtures.write(Self.text(301), to: path)
        let longer = try #require(Fixtures.inputError { _ = try KJVWorkload(spec: spec) })
        #expect(longer.source == path && longer.message.contains("larger than 300 bytes"))
    }

    @Test func blocksThatDoNotFitAreRejected() throws {
        var (spec, _) = try Self.spec(bytes: Self.text(300))
        spec.settings["validation_bytes"] = .number(250)
        let error = try #require(Fixtures.inputError { _ = try KJVSettings(spec: spec) })
        #expect(error.field == "settings.validation_bytes" && error.message.contains("for training"))
        spec.settings["validation_bytes"] = .number(5)
        let small = try #require(Fixtures.inputError { _ = try KJVSettings(spec: spec) })
        #expect(small.field == "settings.validation_bytes" && small.message.contains("at least one window"))
    }

    // MARK: - Real spec and corpus

    /// The spec's blocks: training bytes 0 ..< 4,167,165, validation 4,167,165 ..< 4,232,702
    /// (Hebrews 11:8 to Jude 1:15), test 4,232,702 ..< 4,298,239 (Jude 1:15 to Revelation's end).
    @Test func realSpecStatesTheBlocksAndAHeldOutVariant() throws {
        let spec = try WorkloadTestSupport.realSpec("kjv")
        #expect(spec.metric == "bits_per_byte" && spec.direction == .minimize && spec.lossType == .softmaxCrossEntropy)
        let s = try KJVSettings(spec: spec)
        #expect(s.corpusBytes == 4_298_239 && s.trainingBytes == 4_167_165 && s.validationBytes == 65_537 && s.testBytes == 65_537)
        #expect(s.corpusFile.hasSuffix("workloads/../data/kjv.txt"))
        #expect(s.architecture.vocabularySize == 256 && s.architecture.contextLength == 64)
        let variant = try #require(spec.variants.first { $0.name == "kjv_long_context" })
        let v = try KJVSettings(spec: variant)
        #expect(v.contextLength == 128 && v.architecture.modelDimension == s.architecture.modelDimension)
    }

    /// The corpus `make deps` wrote matches the spec, and its blocks are where the spec says.
    @Test func readsTheGeneratedCorpus() throws {
        let spec = try WorkloadTestSupport.realSpec("kjv")
        let w = try KJVWorkload(spec: spec)
        #expect(w.corpus.bytes.count == 4_298_239)
        #expect(w.corpus.bytes.starts(with: Array("\nGenesis 1\n\n  1 In the beginning God created the heaven and the earth.".utf8)))
        #expect(w.corpus.validation == 4_167_165..<4_232_702 && w.corpus.test == 4_232_702..<4_298_239)
        #expect(w.validationSet.count == 1024 && w.testSet.count == 1024 && w.validationSet.length == 65)
        #expect(w.corpus.bytes[w.corpus.test].starts(with: Array("e judgment upon all".utf8)))
    }
}
