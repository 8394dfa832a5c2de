import Core
import Foundation
import NN

/// One optimizer reference trajectory: the reference call, initial parameters of several
/// shapes, the gradient fed at every step and the parameters after every step.
///
/// File format (JSON object; see `shared/conformance/README.md`): `optimizer` (the
/// submission's registry name), `reference` (optax constructor or Python callable),
/// `kwargs` (its keyword arguments), `shapes` (name → shape), `layout` (must say
/// row-major), `initial` (name → flat values), `gradients` and `trajectory` (lists over
/// steps of name → flat values), optionally `eval_params` (name → flat values after the
/// last step, for methods that evaluate an average).
///
/// A *reference case* (made with the authors' code) also has `hyperparameters` under this
/// project's own names, so it is run without a mapping, and may have `reference_version`,
/// `deterministic`, `notes`, `param_groups`, `losses` (the loss the oracle reports at each
/// step), `training_examples` and `hessian_diagonals` (per step, the diagonal Hessian the
/// oracle's Hessian-vector products use). Every field is checked; errors name the file and
/// the field.
public struct ConformanceCase: Sendable {
    /// The file the case was read from.
    public let source: String
    /// Registry name of the submission under test.
    public let optimizer: String
    /// The optax constructor that produced the trajectory.
    public let reference: String
    /// optax keyword arguments, as recorded.
    public let arguments: [String: JSONValue]
    /// Parameters in name order, with kinds inferred from rank (1 → bias, 4 → conv
    /// weight, otherwise weight).
    public let layout: ParameterLayout
    /// Initial parameters, flat in `layout` order.
    public let initial: [Float]
    /// Gradient at each step, flat in `layout` order.
    public let gradients: [[Float]]
    /// Parameters after each step, flat in `layout` order.
    public let trajectory: [[Float]]
    /// Evaluation parameters after the last step, when the case records them.
    public let evaluationParameters: [Float]?

    /// The submission's own hyperparameters, for a case made with the authors' code;
    /// `nil` for an optax case (whose `kwargs` are mapped by the submission).
    public let hyperparameters: Hyperparameters?
    /// The reference's package and version (or repository and commit), when recorded.
    public let referenceVersion: String?
    /// Whether the reference is deterministic as the case is set up, when recorded.
    public let deterministic: Bool?
    /// What the case assumes, in the generator's words.
    public let notes: String?
    /// How the reference grouped the parameters, when the case records it.
    public let parameterGroups: [ConformanceParameterGroup]?
    /// The loss the oracle reports at each step (Polyak-type step sizes).
    public let losses: [Float]?
    /// The training-set size the workload reports.
    public let trainingExamples: Int?
    /// Per step, a diagonal Hessian h_t in `layout` order: the oracle answers H·v = h_t ⊙ v.
    public let hessianDiagonals: [[Float]]?

    /// Whether the case was made with the authors' code (it gives `hyperparameters`).
    public var isReferenceCase: Bool { hyperparameters != nil }

    /// Number of steps recorded.
    public var steps: Int { gradients.count }

    /// A short case name: the file name without directory and extension.
    public var name: String { URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent }

    /// Reads and validates a case file.
    public static func load(contentsOf path: String) throws -> ConformanceCase {
        try ConformanceCase(json: JSONValue.load(contentsOf: path), source: path)
    }

    /// Validates a parsed case; `source` names it in errors.
    public init(json: JSONValue, source: String) throws {
        var reader = try JSONObjectReader(json, source: source)
        self.source = source
        optimizer = try reader.string("optimizer")
        reference = try reader.string("reference")
        guard case .object(let kwargs) = try reader.value("kwargs") else {
            throw InputError(source: source, field: "kwargs", message: "must be an object")
        }
        arguments = kwargs
        if let layoutText = try reader.optionalString("layout"), !layoutText.lowercased().hasPrefix("row-major") {
            throw InputError(source: source, field: "layout", message: "must describe a row-major layout, found '\(layoutText)'")
        }
        layout = try Self.readLayout(reader.object("shapes"))
        initial = try Self.readValues(reader.value("initial"), layout: layout, source: source, field: "initial")
        let gradientSteps = try reader.array("gradients")
        let trajectorySteps = try reader.array("trajectory")
        guard !gradientSteps.isEmpty else {
            throw InputError(source: source, field: "gradients", message: "must hold at least one step")
        }
        guard trajectorySteps.count == gradientSteps.count else {
            throw InputError(
                source: source, field: "trajectory",
                message: "has \(trajectorySteps.count) steps but 'gradients' has \(gradientSteps.count)")
        }
        let layout = layout
        gradients = try gradientSteps.enumerated().map {
            try Self.readValues($1, layout: layout, source: source, field: "gradients[\($0)]")
        }
        trajectory = try trajectorySteps.enumerated().map {
            try Self.readValues($1, layout: layout, source: source, field: "trajectory[\($0)]")
        }
        evaluationParameters = try reader.optionalValue("eval_params").map {
            try Self.readValues($0, layout: layout, source: source, field: "eval_params")
        }
        hyperparameters = try reader.optionalObject("hyperparameters").map { object in
            var object = object
            var values: [String: Double] = [:]
            for key in object.keys { values[key] = try object.finiteNumber(key) }
            try object.finish()
            return Hyperparameters(values)
        }
        referenceVersion = try reader.optionalString("reference_version")
        deterministic = try reader.optionalBool("deterministic")
        notes = try reader.optionalString("notes")
        parameterGroups = try reader.optionalArray("param_groups").map { groups in
            try groups.enumerated().map { index, group in
                try ConformanceParameterGroup(group, layout: layout, source: source, field: "param_groups[\(index)]")
            }
        }
        let steps = gradients.count
        losses = try reader.optionalArray("losses").map { items in
            guard items.count == steps else {
                throw InputError(source: source, field: "losses", message: "has \(items.count) values for \(steps) steps")
            }
            return try items.enumerated().map { index, item in
                guard case .number(let x) = item, x.isFinite else {
                    throw InputError(source: source, field: "losses[\(index)]", message: "must be a finite number, found \(item.serialized)")
                }
                return Float(x)
            }
        }
        trainingExamples = try reader.optionalInteger("training_examples", in: 1...Int(Int32.max))
        hessianDiagonals = try reader.optionalArray("hessian_diagonals").map { items in
            guard items.count == steps else {
                throw InputError(source: source, field: "hessian_diagonals", message: "has \(items.count) steps for \(steps) gradients")
            }
            return try items.enumerated().map { try Self.readValues($1, layout: layout, source: source, field: "hessian_diagonals[\($0)]") }
        }
        try reader.finish()
    }

    private static func readLayout(_ shapes: JSONObjectReader) throws -> ParameterLayout {
        var shapes = shapes
        var layout = ParameterLayout()
        for name in shapes.keys {
            let extents = try shapes.array(name)
            let shape: [Int] = try extents.enumerated().map { index, extent in
                guard case .number(let x) = extent, x == x.rounded(), x >= 1, x <= 1e9 else {
                    throw InputError(
                        source: shapes.source, field: "\(shapes.fieldPath(name))[\(index)]",
                        message: "must be a positive integer, found \(extent.serialized)")
                }
                return Int(x)
            }
            let kind: ParameterKind = switch shape.count {
            case 0, 1: .bias
            case 4: .convWeight
            default: .weight
            }
            layout.add(name, shape: shape, kind: kind)
        }
        guard layout.count > 0 else {
            throw InputError(source: shapes.source, field: "shapes", message: "must name at least one parameter")
        }
        return layout
    }

    /// One name → flat-values object, checked against the layout, flattened in layout order.
    private static func readValues(_ value: JSONValue, layout: ParameterLayout, source: String, field: String) throws -> [Float] {
        var reader = try JSONObjectReader(value, source: source, path: field)
        var flat = [Float](repeating: 0, count: layout.count)
        for view in layout.views {
            let items = try reader.array(view.name)
            guard items.count == view.count else {
                throw InputError(
                    source: source, field: reader.fieldPath(view.name),
                    message: "has \(items.count) values; shape \(view.shape) needs \(view.count)")
            }
            for (i, item) in items.enumerated() {
                guard case .number(let x) = item, x.isFinite else {
                    throw InputError(
                        source: source, field: "\(reader.fieldPath(view.name))[\(i)]",
                        message: "must be a finite number, found \(item.serialized)")
                }
                flat[view.offset + i] = Float(x)
            }
        }
        try reader.finish()
        return flat
    }
}

/// One group of parameters as the reference was given them: the role its key names
/// (`params`, or e.g. `main_params`, `secondary_params`, `oned_params`), the tensors in
/// it, and the group's own settings as recorded (informational: the case's
/// `hyperparameters` already carry them under this project's names).
public struct ConformanceParameterGroup: Sendable, Equatable {
    /// The key that lists the group's tensors: `params` or a role such as `main_params`.
    public let role: String
    /// The tensors of the group, each a name in the case's `shapes`.
    public let names: [String]
    /// The group's other settings, as recorded.
    public let settings: [String: JSONValue]

    init(_ value: JSONValue, layout: ParameterLayout, source: String, field: String) throws {
        guard case .object(let fields) = value else {
            throw InputError(source: source, field: field, message: "must be an object, found \(value.typeName)")
        }
        let roles = fields.keys.filter { $0 == "params" || $0.hasSuffix("_params") }.sorted()
        guard roles.count == 1, let role = roles.first, case .array(let items) = fields[role] else {
            throw InputError(source: source, field: field, message: "must list its tensors under exactly one key 'params' or '*_params'")
        }
        let known = Set(layout.views.map(\.name))
        names = try items.enumerated().map { index, item in
            guard case .string(let name) = item, known.contains(name) else {
                throw InputError(source: source, field: "\(field).\(role)[\(index)]", message: "must name a tensor of 'shapes', found \(item.serialized)")
            }
            return name
        }
        self.role = role
        settings = fields.filter { $0.key != role }
    }
}
