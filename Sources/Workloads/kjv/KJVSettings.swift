import Core

/// The data and model settings of the `kjv` workload (a byte-level language model of the
/// King James Bible), read strictly from its spec.
///
/// | key | meaning |
/// |---|---|
/// | `corpus_file` | the corpus `make deps` writes (`data/kjv.txt`, from `bible -l80 "gen1:1-rev22:21"` of Debian's `bible-kjv`); a relative path is relative to the spec's folder |
/// | `corpus_bytes`, `corpus_sha256` | its exact size and SHA-256, checked on load |
/// | `validation_bytes`, `test_bytes` | the two contiguous blocks at the end of the corpus: validation, then test (the rest, from the start, is the training block) |
/// | `context_length` | T: bytes the model predicts per window (windows hold T + 1 bytes) |
/// | `train_eval_windows` | windows from the start of the training block whose loss `evaluate` reports |
/// | `layers`, `d_model`, `heads`, `mlp_ratio`, `norm_position`, `mlp` | the model: see `TransformerArchitecture` (vocabulary: the 256 byte values) |
public struct KJVSettings: Sendable, Equatable {
    public var corpusFile: String
    public var corpusBytes: Int
    public var corpusSHA256: String
    public var validationBytes: Int
    public var testBytes: Int
    public var contextLength: Int
    public var trainEvalWindows: Int
    public var architecture: TransformerArchitecture

    /// Every byte value is a token.
    public static let vocabularySize = 256

    /// Reads every setting of `spec`, rejects unknown keys and checks that the blocks fit.
    public init(spec: WorkloadSpec) throws {
        var reader = try spec.settingsReader()
        func fail(_ key: String, _ message: String) -> InputError {
            InputError(source: spec.source, field: reader.fieldPath(key), message: message)
        }
        corpusFile = DataFile.resolve(try reader.string("corpus_file"), relativeTo: spec.source)
        corpusBytes = try reader.integer("corpus_bytes", in: 1...(1 << 30))
        corpusSHA256 = try reader.string("corpus_sha256")
        guard corpusSHA256.count == 64, corpusSHA256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw fail("corpus_sha256", "must be 64 lowercase hex digits (a SHA-256), found \(PlainName.escaped(corpusSHA256))")
        }
        contextLength = try reader.integer("context_length", in: 1...4096)
        validationBytes = try reader.integer("validation_bytes", in: 2...(1 << 30))
        testBytes = try reader.integer("test_bytes", in: 2...(1 << 30))
        for (key, size) in [("validation_bytes", validationBytes), ("test_bytes", testBytes)] where size < contextLength + 1 {
            throw fail(key, "must hold at least one window of context_length + 1 = \(contextLength + 1) bytes, found \(size)")
        }
        guard corpusBytes - validationBytes - testBytes > contextLength else {
            throw fail("validation_bytes", "with test_bytes leaves \(corpusBytes - validationBytes - testBytes) of \(corpusBytes) bytes for training, fewer than a window of \(contextLength + 1)")
        }
        trainEvalWindows = try reader.integer("train_eval_windows", in: 1...10_000_000)
        architecture = try TransformerArchitecture(
            reading: &reader, source: spec.source, vocabularySize: Self.vocabularySize, contextLength: contextLength)
        try reader.finish()
        guard trainEvalWindows <= ByteCorpus.evaluationWindowCount(bytes: trainingBytes, contextLength: contextLength) else {
            throw fail("train_eval_windows", "exceeds the \(ByteCorpus.evaluationWindowCount(bytes: trainingBytes, contextLength: contextLength)) windows of the training block")
        }
    }

    /// Size of the training block.
    public var trainingBytes: Int { corpusBytes - validationBytes - testBytes }
}
