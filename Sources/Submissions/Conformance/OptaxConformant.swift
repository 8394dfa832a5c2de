import Core

/// A submission whose update rule can be checked against an optax reference trajectory.
///
/// The conformance runner runs the submission's real `step` at a constant learning rate
/// (`warmup_fraction = 0`, `min_lr_factor = 1`), with hyperparameters mapped from the
/// optax keyword arguments of the case by `conformanceHyperparameters(optaxArguments:)`.
public protocol OptaxConformant: Submission {
    /// The optax constructor the submission reproduces, e.g. `optax.adamw`.
    static var optaxReference: String { get }
    /// Largest relative error accepted per coordinate (see `ConformanceRunner`), 1e-5 by
    /// default; a submission that needs more says why next to its override.
    static var conformanceTolerance: Double { get }
    /// The submission's hyperparameters for optax's keyword arguments. Every argument
    /// must be read (absent ones take optax's defaults); unsupported options throw.
    static func conformanceHyperparameters(optaxArguments: inout OptaxArguments) throws -> Hyperparameters
}

extension OptaxConformant {
    public static var conformanceTolerance: Double { 1e-5 }
}
