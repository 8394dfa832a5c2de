import Core
import Foundation

/// Writes calibrated numbers back into a workload spec file, for the base workload and
/// its variants, dropping their `provisional` marks and adding a `calibration` block that
/// records how the numbers were found. The file is rewritten atomically and re-validated.
public enum SpecCalibrationWriter {
    /// `numbers` and `records` are keyed by workload (base or variant) name.
    public static func apply(
        _ numbers: [String: CalibrationProcedure.Numbers], records: [String: JSONValue], toSpecAt path: String
    ) throws {
        guard case .object(var root) = try JSONValue.load(contentsOf: path), case .string(let baseName)? = root["name"] else {
            throw InputError(source: path, field: "name", message: "a spec must be an object with a name")
        }
        if let found = numbers[baseName] { update(&root, found, record: records[baseName]) }
        if case .array(var variants)? = root["variants"] {
            for index in variants.indices {
                guard case .object(var variant) = variants[index], case .string(let name)? = variant["name"],
                      let found = numbers[name] else { continue }
                update(&variant, found, record: records[name])
                variants[index] = .object(variant)
            }
            root["variants"] = .array(variants)
        }
        let text = JSONValue.object(root).formatted() + "\n"
        try AtomicFile.write(text, to: path) { temporary in
            _ = try WorkloadSpec.load(contentsOf: temporary, expectedName: baseName)
        }
    }

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
