import Core

/// Every workload the suite knows, by base name: the one place that turns a spec into a
/// running workload. Adding a workload = one folder under `Sources/Workloads/` plus one
/// entry here and a spec in `workloads/`.
public enum WorkloadRegistry {
    /// Base workload names with their constructors, in the order `optbench list` shows them.
    private static let constructors: [(name: String, make: @Sendable (WorkloadSpec) throws -> any Workload)] = [
        ("regression", { try RegressionWorkload(spec: $0) }),
        ("maxcut", { try MaxCutWorkload(spec: $0) }),
        ("bilevel_hyperreg", { try BilevelHyperregWorkload(hyperregSpec: $0) }),
        ("bilevel_hyperclean", { try BilevelHypercleanWorkload(hypercleanSpec: $0) }),
        ("transformer", { try TransformerWorkload(spec: $0) }),
        ("tsp", { try TSPWorkload(spec: $0) }),
        ("jobshop", { try JobShopWorkload(spec: $0) }),
        ("cnn", { try CNNWorkload(spec: $0) }),
        ("fashion_mnist", { try FashionMNISTWorkload(spec: $0) }),
        ("kjv", { try KJVWorkload(spec: $0) }),
    ]

    /// Base workloads whose parameters are a bilevel problem's outer variable and which
    /// offer a `BilevelOracle` (`WorkloadInfo.innerLayout` set), so bilevel solvers run on
    /// them and on their variants; a test checks this list against the workloads themselves.
    public static let bilevelNames: Set<String> = ["bilevel_hyperreg", "bilevel_hyperclean"]

    /// Registered base workload names.
    public static var names: [String] { constructors.map(\.name) }

    /// The workload `spec` describes (a base spec or one of its variants).
    public static func make(_ spec: WorkloadSpec) throws -> any Workload {
        guard let entry = constructors.first(where: { $0.name == spec.baseName }) else {
            throw InputError(
                source: spec.source, field: "name",
                message: "no workload implementation called '\(spec.baseName)' (registered: \(names.joined(separator: ", ")))")
        }
        return try entry.make(spec)
    }
}
