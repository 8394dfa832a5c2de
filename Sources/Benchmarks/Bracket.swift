/// A machine limit measured just before and just after a table. On a shared or virtual
/// machine the limit drifts within minutes, so each table's ratios use the higher of its
/// two measurements: a ratio never flatters a row because the reference happened to be
/// measured in a slow moment.
public struct Bracket: Sendable, Equatable {
    public var before: Double, after: Double

    public init(before: Double, after: Double) {
        self.before = before
        self.after = after
    }

    /// The higher of the two measurements, which the table's ratios divide by.
    public var higher: Double { max(before, after) }

    /// Runs `body` between two measurements of `reference`.
    public static func around<T>(by reference: () -> Double, _ body: () throws -> T) rethrows -> (T, Bracket) {
        let before = reference()
        let result = try body()
        return (result, Bracket(before: before, after: reference()))
    }
}
