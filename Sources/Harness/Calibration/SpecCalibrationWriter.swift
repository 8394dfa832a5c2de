import Core
import Foundation

/// Writes calibrated numbers back into a workload spec file, for the base workload and
/// its variants, dropping their `provisional` marks and adding a `calibration` block that
/// records how the numbers were found. A variant left out of the calibration keeps what
/// it inherited before (budget, evaluation period, step hint, provisional mark), since
/// its targets were set for that budget. The file is rewritten atomically and re-validated.
public enum SpecCalibrationWriter {
    /// `numbers` and `records` are keyed by workload (base or variant) name.
    public static func apply(
        _ numbers: [String: CalibrationProcedure.Numbers], records: [String: JSONValue], toSpecAt path: String
    ) throws {
        guard case .object(var root) = try JSONValue.load(contentsOf: path), case .string(let baseName)? = root["name"] else {
            throw InputError(source: path, field: "name", message: "a spec must be an object with a name")
        }
        let inherited = root.filter { inheritedKeys.contains($0.key) }
        if let found = numbers[baseName] { update(&root, found, record: records[baseName]) }
        if case .array(var variants)? = root["variants"] {
            for index in variants.indices {
                guard case .object(var variant) = variants[index], case .string(let name)? = variant["name"] else { continue }
                if let found = numbers[name] {
                    update(&variant, found, record: records[name])
                } else if numbers[baseName] != nil {
                    variant.merge(inherited) { own, _ in own }
                }
                variants[index] = .object(variant)
            }
            root["variants"] = .array(variants)
        }
        let text = JSONValue.object(root).formatted() + "\n"
        try AtomicFile.write(text, to: path) { temporary in
            _ = try WorkloadSpec.load(contentsOf: temporary, expectedName: baseName)
        }
    }

    /// What a variant inherits from its base unless it overrides it, and what calibration rewrites.
    private static let inheritedKeys: Set<String> = ["max_runtime_s", "eval_period_s", "step_hint", "provisional"]

    private static func update(_ object: inout [String: JSONValue], _ numbers: CalibrationProcedure.Numbers, record: JSONValue?) {
        object["validation_target"] = .number(numbers.validationTarget)
        object["test_target"] = .number(numbers.testTarget)
        object["max_runtime_s"] = .number(numbers.maxRuntimeSeconds)
        object["eval_period_s"] = .number(numbers.evalPeriodSeconds)
        object["step_hint"] = .number(Double(numbers.stepHint))
        object["provisional"] = .bool(false)
        if let record { object["calibration"] = record }
    }
}
