import Core
import Tensor

/// The lossless byte form of results contents (see `ByteWriter`): how an isolated reader
/// process hands back what it read, and what each trial's stored digest is computed over.
extension ResultsContents {
    /// Leading bytes of the form, with its version: "OBRC" then 1.
    static let magic: [UInt8] = Array("OBRC1".utf8)

    /// The contents as bytes; `init(decoding:)` gives back an equal value, bit for bit.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        for byte in Self.magic { writer.append(Int(byte)) }
        provenance.encode(into: &writer)
        writer.append(workloads) { $1.encode(into: &$0) }
        writer.append(trials) { writer, trial in
            trial.encode(into: &writer)
            self.provenance(of: trial.key).encode(into: &writer)
        }
        return writer.bytes
    }

    /// Decodes `encoded()`'s bytes; throws on truncated or malformed input.
    public init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        for byte in Self.magic {
            guard try reader.int() == Int(byte) else { throw ByteCodingError.invalid("not results contents", at: 0) }
        }
        let provenance = try Provenance(from: &reader)
        let workloads = try reader.array { try WorkloadRecord(from: &$0) }
        var trialProvenance: [TrialKey: Provenance] = [:]
        let trials = try reader.array { reader in
            let trial = try TrialRecord(from: &reader)
            trialProvenance[trial.key] = try Provenance(from: &reader)
            return trial
        }
        guard reader.isAtEnd else { throw ByteCodingError.invalid("trailing bytes", at: bytes.count) }
        self.init(provenance: provenance, sortedTrials: trials, workloads: workloads, trialProvenance: trialProvenance)
    }
}

extension TrialRecord {
    /// A 64-bit digest of the record as a file stores it and of the provenance it was run
    /// with (`StableHash` over the byte form), kept beside each trial so that bytes
    /// changed after writing — a flipped bit, a zeroed block — are detected on reading
    /// instead of loading silently as other numbers. It guards against corruption, not
    /// forgery: anyone can recompute it.
    func digest(provenance: Provenance) -> UInt64 {
        var writer = ByteWriter()
        storedForm.encodeFields(into: &writer)
        // Written only when present, so that files from before snapshots keep their digests.
        if let snapshotRatio { writer.append(snapshotRatio) }
        provenance.storedForm.encode(into: &writer)
        return writer.digest
    }

    /// The record as it reads back from a file: NUL in strings becomes U+FFFD, and
    /// non-finite hyperparameters (stored as JSON null) become NaN.
    var storedForm: TrialRecord {
        var copy = self
        copy.message = message.storedForm
        copy.hyperparameters = Hyperparameters(hyperparameters.values.mapValues { $0.isFinite ? $0 : .nan })
        copy.workload = workload.storedForm
        return copy
    }

    func encode(into writer: inout ByteWriter) {
        encodeFields(into: &writer)
        writer.append(snapshotRatio) { $0.append($1) }
    }

    /// Every field but `snapshotRatio`, which came later (see `digest(provenance:)`).
    private func encodeFields(into writer: inout ByteWriter) {
        key.encode(into: &writer)
        workload.encode(into: &writer)
        writer.append(hyperparameters.values.keys.sorted()) { writer, name in
            writer.append(name)
            writer.append(self.hyperparameters.values[name] ?? .nan)
        }
        writer.append(seed)
        writer.append(status.rawValue)
        writer.append(message)
        writer.append(timeToTarget) { $0.append($1) }
        writer.append(stepsToTarget) { $0.append($1) }
        writer.append(oracleCallsToTarget) { $0.append($1) }
        // Not recorded is -1, as in the file: the bytes (and digests) of recorded values are unchanged.
        writer.append(stateBytes ?? -1)
        writer.append(peakResidentBytes ?? -1)
        writer.append(evaluations) { $1.encode(into: &$0) }
        writer.append(trainLossSteps) { $0.append($1) }
        writer.append(trainLossValues) { $0.append($1) }
        writer.append(budgetScale)
        writer.append(maximumSteps) { $0.append($1) }
        writer.append(evalEverySteps) { $0.append($1) }
        writer.append(stopAtTarget)
        writer.append(history) { $0.append($1) }
    }

    init(from reader: inout ByteReader) throws {
        let key = try TrialKey(from: &reader)
        let workload = try WorkloadRecord(from: &reader)
        let pairs = try reader.array(elementBytes: 16) { reader in (try reader.string(), try reader.double()) }
        let hyperparameters = Hyperparameters(Dictionary(pairs, uniquingKeysWith: { first, _ in first }))
        let seed = try reader.uint64()
        let statusText = try reader.string()
        guard let status = TrialStatus(rawValue: statusText) else { throw ByteCodingError.invalid("unknown status", at: 0) }
        let message = try reader.string()
        let time = try reader.optional { try $0.double() }
        let steps = try reader.optional { try $0.int() }
        let calls = try reader.optional { try $0.int() }
        let stateBytes = TrialRecord.recorded(try reader.int())
        let peak = TrialRecord.recorded(try reader.int())
        let evaluations = try reader.array(elementBytes: 80) { try EvaluationRow(from: &$0) }
        let lossSteps = try reader.array { try $0.int() }
        let lossValues = try reader.array { try $0.float() }
        guard lossSteps.count == lossValues.count else { throw ByteCodingError.invalid("train-loss columns differ in length", at: 0) }
        self.init(
            key: key, workload: workload, hyperparameters: hyperparameters, seed: seed, status: status, message: message,
            timeToTarget: time, stepsToTarget: steps, oracleCallsToTarget: calls, stateBytes: stateBytes,
            peakResidentBytes: peak, evaluations: evaluations, trainLossSteps: lossSteps, trainLossValues: lossValues,
            budgetScale: try reader.double(), maximumSteps: try reader.optional { try $0.int() },
            evalEverySteps: try reader.optional { try $0.int() }, stopAtTarget: try reader.bool(),
            history: try reader.array { try $0.string() }, snapshotRatio: try reader.optional { try $0.double() })
    }
}

extension TrialRecord {
    /// A count as stored, -1 meaning not recorded.
    static func recorded(_ value: Int) -> Int? { value == -1 ? nil : value }
}

extension EvaluationRow {
    func encode(into writer: inout ByteWriter) {
        writer.append(step)
        writer.append(submissionTime)
        writer.append(wallTime)
        writer.append(examples ?? -1)
        writer.append(gradientEvaluations ?? -1)
        writer.append(hessianVectorProducts ?? -1)
        writer.append(functionEvaluations ?? -1)
        writer.append(trainLoss)
        writer.append(validationMetric)
        writer.append(testMetric)
    }

    init(from reader: inout ByteReader) throws {
        let step = try reader.int(), submissionTime = try reader.double(), wallTime = try reader.double()
        let examples = TrialRecord.recorded(try reader.int()), gradients = TrialRecord.recorded(try reader.int())
        let hvps = TrialRecord.recorded(try reader.int()), functions = TrialRecord.recorded(try reader.int())
        let metrics = Metrics(trainLoss: try reader.double(), validationMetric: try reader.double(), testMetric: try reader.double())
        self.init(step: step, submissionTime: submissionTime, wallTime: wallTime, counts: nil, metrics: metrics)
        self.examples = examples
        self.gradientEvaluations = gradients
        self.hessianVectorProducts = hvps
        self.functionEvaluations = functions
    }
}

extension TrialKey {
    func encode(into writer: inout ByteWriter) {
        writer.append(ruleset)
        writer.append(submission)
        writer.append(workload)
        writer.append(study)
        writer.append(trial)
    }

    init(from reader: inout ByteReader) throws {
        let ruleset = try reader.string(), submission = try reader.string(), workload = try reader.string()
        self.init(submission: submission, workload: workload, ruleset: ruleset, study: try reader.int(), trial: try reader.int())
    }
}

extension WorkloadRecord {
    /// The record as it reads back: an empty `variantOf` is stored as "" and reads as nil.
    var storedForm: WorkloadRecord {
        var copy = self
        copy.metric = metric.storedForm
        copy.variantOf = variantOf.map(\.storedForm).flatMap { $0.isEmpty ? nil : $0 }
        return copy
    }

    func encode(into writer: inout ByteWriter) {
        writer.append(name)
        writer.append(variantOf) { $0.append($1) }
        writer.append(metric)
        writer.append(direction.rawValue)
        writer.append(validationTarget)
        writer.append(testTarget)
        writer.append(maxRuntimeSeconds)
        writer.append(evalPeriodSeconds)
        writer.append(stepHint)
    }

    init(from reader: inout ByteReader) throws {
        let name = try reader.string(), variantOf = try reader.optional { try $0.string() }, metric = try reader.string()
        guard let direction = MetricDirection(rawValue: try reader.string()) else {
            throw ByteCodingError.invalid("unknown metric direction", at: 0)
        }
        self.init(
            name: name, variantOf: variantOf, metric: metric, direction: direction, validationTarget: try reader.double(),
            testTarget: try reader.double(), maxRuntimeSeconds: try reader.double(), evalPeriodSeconds: try reader.double(),
            stepHint: try reader.int())
    }
}

extension Provenance {
    /// The provenance as it reads back (NUL in strings becomes U+FFFD).
    var storedForm: Provenance {
        Provenance(
            schemaVersion: schemaVersion, toolVersion: toolVersion.storedForm, gitCommit: gitCommit.storedForm,
            commandLine: commandLine.storedForm, host: host.storedForm, cpu: cpu.storedForm, cores: cores,
            blas: blas.storedForm, blasThreads: blasThreads, swiftVersion: swiftVersion.storedForm, created: created.storedForm)
    }

    func encode(into writer: inout ByteWriter) {
        writer.append(schemaVersion)
        for text in [toolVersion, gitCommit, commandLine, host, cpu] { writer.append(text) }
        writer.append(cores)
        writer.append(blas)
        writer.append(blasThreads)
        writer.append(swiftVersion)
        writer.append(created)
    }

    init(from reader: inout ByteReader) throws {
        let schema = try reader.int()
        let tool = try reader.string(), commit = try reader.string(), command = try reader.string()
        let host = try reader.string(), cpu = try reader.string(), cores = try reader.int(), blas = try reader.string()
        self.init(
            schemaVersion: schema, toolVersion: tool, gitCommit: commit, commandLine: command, host: host, cpu: cpu,
            cores: cores, blas: blas, blasThreads: try reader.int(), swiftVersion: try reader.string(),
            created: try reader.string())
    }
}

extension String {
    /// The string as an HDF5 attribute stores it: NUL replaced by U+FFFD.
    var storedForm: String { contains("\0") ? replacingOccurrences(of: "\0", with: "\u{FFFD}") : self }
}

extension Provenance {
    /// A digest of the provenance as stored (see `TrialRecord.digest`) and, where the file
    /// records them, of its group counts: the root's digest.
    func digest(counts: GroupCounts?) -> UInt64 {
        var writer = ByteWriter()
        storedForm.encode(into: &writer)
        if let counts {
            writer.append(counts.trials)
            writer.append(counts.workloads)
        }
        return writer.digest
    }
}

extension ByteWriter {
    /// `StableHash` over the bytes written, eight at a time.
    var digest: UInt64 {
        var hash = StableHash()
        for chunk in stride(from: 0, to: bytes.count, by: 8) {
            var word: UInt64 = 0
            for (shift, byte) in bytes[chunk..<min(chunk + 8, bytes.count)].enumerated() { word |= UInt64(byte) << (8 * UInt64(shift)) }
            hash.combine(word)
        }
        return hash.finalize()
    }
}
