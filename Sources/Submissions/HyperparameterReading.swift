import Core

/// Validated reads of the hyperparameters every baseline shares, so each submission's
/// initialiser states its constraints in one line and a bad value names itself.
extension Hyperparameters {
    /// A finite, strictly positive value (learning rates, epsilons).
    func positive(_ name: String, default fallback: Double? = nil) throws -> Double {
        let x = try read(name, fallback)
        guard x.isFinite, x > 0 else { throw HyperparameterError.invalid(name: name, value: x, expected: "a positive number") }
        return x
    }

    /// A finite value ≥ 0 (weight decay, initial accumulators).
    func nonNegative(_ name: String, default fallback: Double? = nil) throws -> Double {
        let x = try read(name, fallback)
        guard x.isFinite, x >= 0 else { throw HyperparameterError.invalid(name: name, value: x, expected: "a number ≥ 0") }
        return x
    }

    /// A decay rate in [0, 1) (β's, momentum).
    func decayRate(_ name: String, default fallback: Double? = nil) throws -> Double {
        let x = try read(name, fallback)
        guard x >= 0, x < 1 else { throw HyperparameterError.invalid(name: name, value: x, expected: "a number in [0, 1)") }
        return x
    }

    /// A decay rate given as `1 − β` (AlgoPerf's `one_minus_beta1`), returned as β.
    func decayRate(oneMinus name: String, default fallback: Double? = nil) throws -> Double {
        let x = try read(name, fallback)
        guard x > 0, x <= 1 else { throw HyperparameterError.invalid(name: name, value: x, expected: "a number in (0, 1]") }
        return 1 - x
    }

    /// A 0/1 switch.
    func flag(_ name: String, default fallback: Bool) throws -> Bool {
        let x = value(name, default: fallback ? 1 : 0)
        guard x == 0 || x == 1 else { throw HyperparameterError.invalid(name: name, value: x, expected: "0 or 1") }
        return x == 1
    }

    private func read(_ name: String, _ fallback: Double?) throws -> Double {
        if let fallback { return value(name, default: fallback) }
        return try value(name)
    }
}

extension WarmupCosineSchedule {
    /// The schedule every baseline uses: peak `learning_rate`, linear warmup over
    /// `warmup_fraction` (default 0.05) of the step hint, then cosine decay to
    /// `min_lr_factor` × peak (default 0). `min_lr_factor = 1` with `warmup_fraction = 0`
    /// is a constant rate (the conformance mode).
    init(hyperparameters: Hyperparameters, budget: Budget, peakName: String = "learning_rate") throws {
        let peak = try hyperparameters.positive(peakName)
        let warmup = hyperparameters.value("warmup_fraction", default: 0.05)
        guard (0...1).contains(warmup) else {
            throw HyperparameterError.invalid(name: "warmup_fraction", value: warmup, expected: "a number in [0, 1]")
        }
        let floor = hyperparameters.value("min_lr_factor", default: 0)
        guard (0...1).contains(floor) else {
            throw HyperparameterError.invalid(name: "min_lr_factor", value: floor, expected: "a number in [0, 1]")
        }
        self.init(peak: peak, warmupFraction: warmup, totalSteps: max(1, budget.stepHint), minimumFactor: floor)
    }
}
