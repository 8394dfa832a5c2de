import Core
import Foundation

/// The calibration table the README shows, made from the specs themselves: each base
/// workload and variant with its metric, targets, budget, evaluation period and step
/// hint, and how they were found (best baseline, tuning trials, when and on which CPU) —
/// or that they are still provisional. `optbench list --calibration` prints it, and a
/// test holds the README's copy to it, so the README cannot drift from the specs.
public enum CalibrationTable {
    /// A Markdown table of `specs` (bases in order, each followed by its variants).
    public static func markdown(_ specs: [WorkloadSpec]) -> String {
        var lines = [
            "| workload | metric | best baseline | tuning trials each | search budget (× the previous) | validation target | test target | `max_runtime_s` | `eval_period_s` | `step_hint` | calibrated |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for base in specs {
            for spec in [base] + base.variants { lines.append(row(spec)) }
        }
        return lines.joined(separator: "\n")
    }

    static func row(_ spec: WorkloadSpec) -> String {
        let name = spec.variantOf.map { "`\(spec.name)` (variant of `\($0)`)" } ?? "`\(spec.name)`"
        let metric = "\(spec.metric) (\(spec.direction == .minimize ? "min" : "max"))"
        // A record counts only once the spec is no longer provisional.
        let record = spec.provisional ? nil : spec.calibration
        let found = record.map { [$0.bestSubmission, String($0.tuningTrials), String(format: "%g", $0.budgetScale)] } ?? ["—", "—", "—"]
        let numbers = [
            String(format: "%.4g", spec.validationTarget), String(format: "%.4g", spec.testTarget),
            String(format: "%.3g", spec.maxRuntimeSeconds), String(format: "%.3g", spec.evalPeriodSeconds), String(spec.stepHint),
        ]
        let when = record.map { "\(cell(String($0.date.prefix(10)))), \(cell($0.cpu))" } ?? "provisional"
        return "| " + ([name, metric] + found + numbers + [when]).joined(separator: " | ") + " |"
    }

    /// Free text from a spec as one table cell: control and format characters, pipes and
    /// backticks become spaces, so a cell cannot break the table or a terminal.
    static func cell(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            let category = scalar.properties.generalCategory
            return category == .control || category == .format || scalar == "|" || scalar == "`" ? " " : scalar
        }))
    }
}
