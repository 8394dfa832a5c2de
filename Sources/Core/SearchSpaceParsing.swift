import Foundation

extension SearchSpace {
    /// Reads a search space in any of AlgoPerf's three `tuning_search_space.json` forms:
    ///
    /// - ranges: `{"learning_rate": {"min": 1e-4, "max": 1e-2, "scaling": "log"}}`
    ///   (`scaling` is `linear` or `log`; `log` needs `min > 0`);
    /// - feasible points: `{"beta1": {"feasible_points": [0.9, 0.95]}}` (mixable with ranges);
    /// - fixed points: `[{"learning_rate": 1e-3, "beta1": 0.9}, ...]`, taken in order.
    ///
    /// Errors name `source` and the offending field.
    public static func parse(_ json: JSONValue, source: String) throws -> SearchSpace {
        switch json {
        case .array(let items):
            guard !items.isEmpty else {
                throw InputError(source: source, field: nil, message: "a list of fixed points must hold at least one point")
            }
            let points = try items.enumerated().map { index, item in
                try Hyperparameters(parsing: item, source: source, path: "[\(index)]")
            }
            return SearchSpace(fixedPoints: points)
        case .object(let fields):
            guard !fields.isEmpty else {
                throw InputError(source: source, field: nil, message: "a search space must name at least one hyperparameter")
            }
            var dimensions: [String: Dimension] = [:]
            for name in fields.keys.sorted() {
                try PlainName.validated(name, source: source, field: Hyperparameters.nameField)
                dimensions[name] = try dimension(fields[name] ?? .null, source: source, path: name)
            }
            return SearchSpace(dimensions)
        default:
            throw InputError(
                source: source, field: nil,
                message: "must be an object of hyperparameters (min/max/scaling or feasible_points) or a list of fixed points, found \(json.typeName)")
        }
    }

    /// Loads a search-space file (see `parse(_:source:)`).
    public static func load(contentsOf path: String) throws -> SearchSpace {
        try parse(JSONValue.load(contentsOf: path), source: path)
    }

    /// The space in the JSON form `parse` reads, with sorted keys.
    public var json: JSONValue {
        switch form {
        case .fixedPoints(let points):
            return .array(points.map { point in .object(point.values.mapValues { .number($0) }) })
        case .dimensions(let dimensions):
            return .object(dimensions.mapValues { dimension in
                switch dimension {
                case .range(let min, let max, let scaling):
                    return .object(["min": .number(min), "max": .number(max), "scaling": .string(scaling.rawValue)])
                case .feasiblePoints(let values):
                    return .object(["feasible_points": .array(values.map { .number($0) })])
                }
            })
        }
    }

    private static func dimension(_ value: JSONValue, source: String, path: String) throws -> Dimension {
        var reader = try JSONObjectReader(value, source: source, path: path)
        if let points = try reader.optionalArray("feasible_points") {
            try reader.finish()
            guard !points.isEmpty else {
                throw InputError(source: source, field: reader.fieldPath("feasible_points"), message: "must hold at least one value")
            }
            let values = try points.enumerated().map { index, point -> Double in
                guard case .number(let x) = point, x.isFinite else {
                    throw InputError(
                        source: source, field: "\(reader.fieldPath("feasible_points"))[\(index)]",
                        message: "must be a finite number, found \(point.typeName)")
                }
                return x
            }
            return .feasiblePoints(values)
        }
        let minimum = try reader.number("min")
        let maximum = try reader.number("max")
        let scalingName = try reader.choice("scaling", ["linear", "log"])
        try reader.finish()
        let scaling = Scaling(rawValue: scalingName) ?? .linear
        guard minimum.isFinite, maximum.isFinite, minimum <= maximum else {
            throw InputError(source: source, field: path, message: "needs finite min ≤ max, found min \(minimum), max \(maximum)")
        }
        if scaling == .log, minimum <= 0 {
            throw InputError(source: source, field: reader.fieldPath("min"), message: "must be positive for log scaling, found \(minimum)")
        }
        return .range(min: minimum, max: maximum, scaling: scaling)
    }
}
