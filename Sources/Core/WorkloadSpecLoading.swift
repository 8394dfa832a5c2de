import Foundation

extension WorkloadSpec {
    /// The base workload's name: the spec's own name, or the name it is a variant of.
    public var baseName: String { variantOf ?? name }

    /// A path named in the spec's settings (reference data): as given when absolute, else
    /// relative to the folder of the spec file.
    public func resolvedPath(_ path: String) -> String {
        path.hasPrefix("/") ? path : ((source as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
    }

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
        base.calibration = try reader.optionalObject("calibration").map(CalibrationRecord.init(reading:))
        let variantValues = try reader.optionalArray("variants") ?? []
        try reader.finish()
        var variants: [WorkloadSpec] = []
        for (index, value) in variantValues.enumerated() {
            var variantReader = try JSONObjectReader(value, source: source, path: "variants[\(index)]")
            let variant = try base.resolvingVariant(&variantReader)
            try variantReader.finish()
            guard variant.name != base.name, !variants.contains(where: { $0.name == variant.name }) else {
                throw InputError(source: source, field: "variants[\(index)].name", message: "duplicates the name \(PlainName.escaped(variant.name))")
            }
            variants.append(variant)
        }
        base.variants = variants
        let fileStem = expectedName ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard fileStem == base.name else {
            throw InputError(source: source, field: "name", message: "must match the file name \(PlainName.escaped(fileStem)), found \(PlainName.escaped(base.name))")
        }
        return base
    }

    /// Every `*.json` spec directly in `directory`, sorted by name, except `profiles.json`
    /// (suite profiles). Reference data (such as exact tour lengths) lives in subfolders,
    /// which are not read.
    public static func loadAll(directory: String) throws -> [WorkloadSpec] {
        return try FileAccess.entries(ofFolder: directory)
            .filter { $0.hasSuffix(".json") && $0 != "profiles.json" }
            .sorted()
            .map { try load(contentsOf: (directory as NSString).appendingPathComponent($0)) }
    }

    private static func readBase(_ reader: inout JSONObjectReader, source: String) throws -> WorkloadSpec {
        let name = try reader.plainName("name")
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
            defaultBatchSize: try reader.integer("default_batch_size", in: Bounds.batchSize),
            lossType: LossType(rawValue: lossName) ?? .custom,
            metric: try reader.plainName("metric"),
            direction: MetricDirection(rawValue: directionName) ?? .minimize,
            validationTarget: try reader.finiteNumber("validation_target"),
            testTarget: try reader.finiteNumber("test_target"),
            maxRuntimeSeconds: try reader.positiveNumber("max_runtime_s", atMost: Bounds.maximumSeconds),
            evalPeriodSeconds: try reader.positiveNumber("eval_period_s", atMost: Bounds.maximumSeconds),
            stepHint: try reader.integer("step_hint", in: Bounds.stepHint),
            provisional: try reader.bool("provisional"),
            source: source)
    }

    private func resolvingVariant(_ reader: inout JSONObjectReader) throws -> WorkloadSpec {
        var variant = self
        variant.variants = []
        variant.variantOf = name
        variant.name = try reader.plainName("name")
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
        variant.defaultBatchSize = try reader.optionalInteger("default_batch_size", in: Bounds.batchSize) ?? defaultBatchSize
        variant.validationTarget = try reader.finiteNumber("validation_target")
        variant.testTarget = try reader.finiteNumber("test_target")
        variant.maxRuntimeSeconds = try reader.optionalPositiveNumber("max_runtime_s", atMost: Bounds.maximumSeconds) ?? maxRuntimeSeconds
        variant.evalPeriodSeconds = try reader.optionalPositiveNumber("eval_period_s", atMost: Bounds.maximumSeconds) ?? evalPeriodSeconds
        variant.stepHint = try reader.optionalInteger("step_hint", in: Bounds.stepHint) ?? stepHint
        if let v = try reader.optionalBool("provisional") { variant.provisional = v }
        variant.calibration = try reader.optionalObject("calibration").map(CalibrationRecord.init(reading:))
        return variant
    }
}
