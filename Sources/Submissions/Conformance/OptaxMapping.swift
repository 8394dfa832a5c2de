import Core

/// Argument checks shared by the Adam-family mappings.
enum OptaxMapping {
    /// optax options of `scale_by_adam` that the Adam-family submissions implement only
    /// at their defaults: `eps_root = 0`, `mu_dtype = None`, `nesterov = False`.
    static func requireAdamDefaults(_ a: inout OptaxArguments, nesterov: Bool = false) throws {
        try a.require("eps_root", is: .number(0), optaxDefault: .number(0))
        try a.require("mu_dtype", is: .null, optaxDefault: .null)
        try a.require("nesterov", is: .bool(nesterov), optaxDefault: .bool(nesterov))
    }

    /// The learning rate, which every case must give.
    /// `learning_rate`, `one_minus_beta1`, `beta2` and `epsilon` from optax's
    /// `learning_rate`, `b1`, `b2` and `eps` (with optax's defaults for the last three),
    /// plus `extra`: the mapping every Adam-family case shares.
    static func adamHyperparameters(
        _ a: inout OptaxArguments, b2Default: Double = 0.999, epsDefault: Double = 1e-8, adding extra: [String: Double] = [:]
    ) throws -> Hyperparameters {
        let shared = [
            "learning_rate": try learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: b2Default),
            "epsilon": try a.number("eps", default: epsDefault),
        ]
        return Hyperparameters(shared.merging(extra) { _, added in added })
    }

    static func learningRate(_ a: inout OptaxArguments) throws -> Double {
        guard let rate = try a.optionalNumber("learning_rate") else {
            throw InputError(source: a.source, field: "kwargs.learning_rate", message: "is required (a constant number)")
        }
        return rate
    }
}
