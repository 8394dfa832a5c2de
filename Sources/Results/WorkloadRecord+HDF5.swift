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
                message: "attribute 'direction' must be minimize or maximize, found '\(directionText)'")
        }
        let variant = try group.stringAttribute("variant_of")
        self.init(
            name: name, variantOf: variant.isEmpty ? nil : variant, metric: try group.stringAttribute("metric"),
            direction: direction, validationTarget: try group.doubleAttribute("validation_target"),
            testTarget: try group.doubleAttribute("test_target"), maxRuntimeSeconds: try group.doubleAttribute("max_runtime_s"),
            evalPeriodSeconds: try group.doubleAttribute("eval_period_s"), stepHint: try group.intAttribute("step_hint"))
    }
}
