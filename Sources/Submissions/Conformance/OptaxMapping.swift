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
    static func learningRate(_ a: inout OptaxArguments) throws -> Double {
        guard let rate = try a.optionalNumber("learning_rate") else {
            throw InputError(source: a.source, field: "kwargs.learning_rate", message: "is required (a constant number)")
        }
        return rate
    }
}
