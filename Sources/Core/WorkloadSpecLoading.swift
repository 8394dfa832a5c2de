import Foundation

extension WorkloadSpec {
    /// The base workload's name: the spec's own name, or the name it is a variant of.
    public var baseName: String { variantOf ?? name }

    /// A strict reader over `settings`, so a workload can reject unknown or mistyped
    /// settings with the spec file and field named.
    public func settingsReader() throws -> JSONObjectReader {
        try JSONObjectReader(.object(settings), source: source, path: variantOf == nil ? "settings" : "variants[\(name)].settings")
    }

    /// Loads and strictly validates one spec file, resolving its variants.
    ///
    /// A variant names itself and overrides any of `settings` (key by key; the key must
    /// exist in the base settings), `default_batch_size`, `validation_target`,
    /// `test_target`, `max_runtime_s`, `eval_period_s`, `step_hint` and `provisional`. A
    /// `calibration` object (base or variant) records how calibrated numbers were found.
    /// The spec's name must equal `expectedName`, by default the file's name without `.json`.
    public static func load(contentsOf path: String, expectedName: String? = nil) throws -> WorkloadSpec {
        let json = try JSONValue.load(contentsOf: path)
        let source = path
        var reader = try JSONObjectReader(json, source: source)
        var base = try readBase(&reader, source: source)
        _ = try reader.optionalObject("calibration")  // provenance of calibrated numbers, free-form
        let variantValues = try reader.optionalArray("variants") ?? []
        try reader.finish()
        var variants: [WorkloadSpec] = []
        for (index, value) in variantValues.enumerated() {
            var variantReader = try JSONObjectReader(value, source: source, path: "variants[\(index)]")
            let variant = try base.resolvingVariant(&variantReader)
            try variantReader.finish()
            guard variant.name != base.name, !variants.contains(where: { $0.name == variant.name }) else {
                throw InputError(source: source, field: "variants[\(index)].name", message: "duplicates the name '\(variant.name)'")
            }
            variants.append(variant)
        }
        base.variants = variants
        let fileStem = expectedName ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard fileStem == base.name else {
            throw InputError(source: source, field: "name", message: "must match the file name '\(fileStem)', found '\(base.name)'")
        }
        return base
    }

    /// Every `*.json` spec directly in `directory`, sorted by name, except `profiles.json`
    /// (suite profiles). Reference data (such as exact tour lengths) lives in subfolders,
    /// which are not read.
    public static func loadAll(directory: String) throws -> [WorkloadSpec] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw InputError(source: directory, field: nil, message: "cannot list the workload spec folder: \(error.localizedDescription)")
        }
        return try entries
            .filter { $0.hasSuffix(".json") && $0 != "profiles.json" }
            .sorted()
            .map { try load(contentsOf: (directory as NSString).appendingPathComponent($0)) }
    }

    private static func readBase(_ reader: inout JSONObjectReader, source: String) throws -> WorkloadSpec {
        let name = try reader.string("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw InputError(source: source, field: "name", message: "must be a non-empty name of letters, digits and '_', found '\(name)'")
        }
        let settingsReader = try reader.object("settings")
        var settings: [String: JSONValue] = [:]
        for key in settingsReader.keys {
            var copy = settingsReader
            settings[key] = copy.optionalValue(key)
        }
        let lossName = try reader.choice("loss_type", LossType.allCases.map(\.rawValue))
        let directionName = try reader.choice("direction", ["minimize", "maximize"])
        return WorkloadSpec(
            name: name, settings: settings,
            defaultBatchSize: try reader.integer("default_batch_size", in: 1...1_000_000),
            lossType: LossType(rawValue: lossName) ?? .custom,
            metric: try reader.string("metric"),
            direction: MetricDirection(rawValue: directionName) ?? .minimize,
            validationTarget: try finite(reader.number("validation_target"), "validation_target", source),
            testTarget: try finite(reader.number("test_target"), "test_target", source),
            maxRuntimeSeconds: try reader.positiveNumber("max_runtime_s"),
            evalPeriodSeconds: try reader.positiveNumber("eval_period_s"),
            stepHint: try reader.integer("step_hint", in: 1...Int(Int32.max)),
            provisional: try reader.bool("provisional"),
            source: source)
    }

    private func resolvingVariant(_ reader: inout JSONObjectReader) throws -> WorkloadSpec {
        var variant = self
        variant.variants = []
        variant.variantOf = name
        variant.name = try reader.string("name")
        if var overrides = try reader.optionalObject("settings") {
            for key in overrides.keys {
                guard settings[key] != nil else {
                    throw InputError(
                        source: source, field: overrides.fieldPath(key),
                        message: "is not a setting of '\(name)' (expected one of: \(settings.keys.sorted().joined(separator: ", ")))")
                }
                variant.settings[key] = overrides.optionalValue(key)
            }
        }
        if let v = try reader.optionalNumber("default_batch_size") {
            guard v >= 1, v == v.rounded() else {
                throw InputError(source: source, field: reader.fieldPath("default_batch_size"), message: "must be a positive integer, found \(v)")
            }
            variant.defaultBatchSize = Int(v)
        }
        variant.validationTarget = try Self.finite(reader.number("validation_target"), reader.fieldPath("validation_target"), source)
        variant.testTarget = try Self.finite(reader.number("test_target"), reader.fieldPath("test_target"), source)
        if let v = try reader.optionalNumber("max_runtime_s") { variant.maxRuntimeSeconds = try Self.positive(v, reader.fieldPath("max_runtime_s"), source) }
        if let v = try reader.optionalNumber("eval_period_s") { variant.evalPeriodSeconds = try Self.positive(v, reader.fieldPath("eval_period_s"), source) }
        if let v = try reader.optionalNumber("step_hint") {
            guard v >= 1, v == v.rounded() else {
                throw InputError(source: source, field: reader.fieldPath("step_hint"), message: "must be a positive integer, found \(v)")
            }
            variant.stepHint = Int(v)
        }
        if let v = try reader.optionalBool("provisional") { variant.provisional = v }
        _ = try reader.optionalObject("calibration")
        return variant
    }

    private static func finite(_ x: Double, _ field: String, _ source: String) throws -> Double {
        guard x.isFinite else { throw InputError(source: source, field: field, message: "must be a finite number, found \(x)") }
        return x
    }

    private static func positive(_ x: Double, _ field: String, _ source: String) throws -> Double {
        guard x.isFinite, x > 0 else { throw InputError(source: source, field: field, message: "must be a positive number, found \(x)") }
        return x
    }
}
