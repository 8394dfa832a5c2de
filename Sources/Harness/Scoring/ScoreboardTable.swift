import Foundation

extension Scoreboard {
    /// A fixed-width text table: one row per submission (best score first) with its
    /// score, 95% interval and per-workload value (∞ for a miss, "∞ (gated)" where a
    /// held-out variant gated a reached base).
    public func formattedTable() -> String {
        let valueHeader = "\(measure.rawValue) to target (\(measure.unit))"
        var lines = [
            "ruleset \(ruleset) · \(valueHeader) · \(studies.count) stud\(studies.count == 1 ? "y" : "ies") · r_max \(Self.format(profile.maximumRatio))"
                + (rules == .optbench ? "" : " · rules \(rules.name), ρ over \(profile.denominator) workloads")
        ]
        let nameWidth = max(10, (submissions.map(\.count).max() ?? 0))
        let columnWidth = max(12, (workloads.map(\.count).max() ?? 0))
        var header = "submission".leftAligned(nameWidth)
        header += "  " + "score".rightAligned(6) + "  " + "95% interval".rightAligned(15)
        for workload in workloads { header += "  " + workload.rightAligned(columnWidth) }
        lines.append(header)
        let order = submissions.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : submissions[$0] < submissions[$1] }
        for s in order {
            var line = submissions[s].leftAligned(nameWidth)
            line += "  " + String(format: "%.3f", scores[s]).rightAligned(6)
            line += "  " + String(format: "[%.3f, %.3f]", intervals[s].low, intervals[s].high).rightAligned(15)
            for w in workloads.indices {
                var cell = Self.format(gatedValues[s][w])
                if gatedValues[s][w].isInfinite, values[s][w].isFinite { cell = "∞ (gated)" }
                line += "  " + cell.rightAligned(columnWidth)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// "∞", "absent" (NaN: no trials, under AlgoPerf's rules), or four significant digits.
    static func format(_ value: Double) -> String {
        value.isNaN ? "absent" : value.isFinite ? String(format: "%.4g", value) : "∞"
    }
}
