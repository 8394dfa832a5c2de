extension Provenance {
    /// Writes the provenance as attributes of `group` (the root, or a trial's `provenance`).
    func write(to group: HDF5Group) throws {
        try group.setAttribute("schema_version", schemaVersion)
        try group.setAttribute("created", created)
        try group.setAttribute("tool_version", toolVersion)
        try group.setAttribute("git_commit", gitCommit)
        try group.setAttribute("command_line", commandLine)
        try group.setAttribute("host", host)
        try group.setAttribute("cpu", cpu)
        try group.setAttribute("cores", cores)
        try group.setAttribute("blas", blas)
        try group.setAttribute("blas_threads", blasThreads)
        try group.setAttribute("swift_version", swiftVersion)
    }

    /// Reads the provenance attributes of `group`; rejects a schema newer than this build's.
    init(readingFrom group: HDF5Group) throws {
        let schema = try group.intAttribute("schema_version")
        guard schema >= 1, schema <= ResultsLayout.schemaVersion else {
            throw HDF5Error(
                file: group.file.path, object: group.path,
                message: "schema_version \(schema) is not supported (this build reads 1...\(ResultsLayout.schemaVersion))")
        }
        self.init(
            schemaVersion: schema, toolVersion: try group.stringAttribute("tool_version"),
            gitCommit: try group.stringAttribute("git_commit"), commandLine: try group.stringAttribute("command_line"),
            host: try group.stringAttribute("host"), cpu: try group.stringAttribute("cpu"),
            cores: try group.intAttribute("cores"), blas: try group.stringAttribute("blas"),
            blasThreads: try group.intAttribute("blas_threads"), swiftVersion: try group.stringAttribute("swift_version"),
            created: try group.stringAttribute("created"))
    }
}
