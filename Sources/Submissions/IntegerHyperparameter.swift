import Core

extension Hyperparameters {
    /// A whole number in `range` (ranks, block sizes, update periods), given as a Double
    /// like every hyperparameter; anything fractional or outside the range names itself.
    func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        let x = value(name, default: Double(fallback))
        guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw HyperparameterError.invalid(
                name: name, value: x, expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(x)
    }
}
