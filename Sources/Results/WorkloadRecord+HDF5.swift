import Core

extension WorkloadRecord {
    /// Writes the record as attributes of `/workloads/<name>`.
    func write(to group: HDF5Group) throws {
        try group.setAttribute("metric", metric)
        try group.setAttribute("direction", direction.rawValue)
        try group.setAttribute("validation_target", validationTarget)
        try group.setAttribute("test_target", testTarget)
        try group.setAttribute("max_runtime_s", maxRuntimeSeconds)
        try group.setAttribute("eval_period_s", evalPeriodSeconds)
        try group.setAttribute("step_hint", stepHint)
        try group.setAttribute("variant_of", variantOf ?? "")
    }

    /// Reads `/workloads/<name>`; the group's name is the workload's name.
    init(readingFrom group: HDF5Group, name: String) throws {
        let directionText = try group.stringAttribute("direction")
        guard let direction = MetricDirection(rawValue: directionText) else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "attribute 'direction' must be minimize or maximize, found \(PlainName.escaped(directionText))")
        }
        let variant = try group.stringAttribute("variant_of")
        let metric = try group.stringAttribute("metric")
        for (attribute, value) in [("variant_of", variant), ("metric", metric)] where !(value.isEmpty && attribute == "variant_of") {
            guard PlainName.isValid(value) else {
                throw HDF5Error(
                    file: group.file.path, object: group.path,
                    message: "attribute '\(attribute)' must be a plain name (\(PlainName.ruleDescription)), found \(PlainName.escaped(value))")
            }
        }
        func number(_ attribute: String, positive: Bool) throws -> Double {
            let value = try group.doubleAttribute(attribute)
            guard value.isFinite, !positive || value > 0 else {
                throw HDF5Error(
                    file: group.file.path, object: group.path,
                    message: "attribute '\(attribute)' must be a \(positive ? "positive" : "finite") number, found \(value)")
            }
            return value
        }
        let stepHint = try group.intAttribute("step_hint")
        guard stepHint >= 1 else {
            throw HDF5Error(file: group.file.path, object: group.path, message: "attribute 'step_hint' must be a positive integer, found \(stepHint)")
        }
        self.init(
            name: name, variantOf: variant.isEmpty ? nil : variant, metric: metric,
            direction: direction, validationTarget: try number("validation_target", positive: false),
            testTarget: try number("test_target", positive: false), maxRuntimeSeconds: try number("max_runtime_s", positive: true),
            evalPeriodSeconds: try number("eval_period_s", positive: true), stepHint: stepHint)
    }
}
