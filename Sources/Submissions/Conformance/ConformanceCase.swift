import Core
import Foundation
import NN

/// One optimizer reference trajectory: the optax call, initial parameters of several
/// shapes, the gradient fed at every step and the parameters after every step.
///
/// File format (JSON object; see `shared/conformance/README.md`): `optimizer` (the
/// submission's registry name), `reference` (optax constructor), `kwargs` (its keyword
/// arguments), `shapes` (name → shape), `layout` (must say row-major), `initial`
/// (name → flat values), `gradients` and `trajectory` (lists over steps of name → flat
/// values), optionally `eval_params` (name → flat values after the last step, for
/// methods that evaluate an average). Every field is checked; errors name the file and
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
