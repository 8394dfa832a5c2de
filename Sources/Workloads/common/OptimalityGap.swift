/// The metric of the combinatorial workloads with known optima (tsp, jobshop).
public enum OptimalityGap {
    /// Mean of `cost_i / optimal_i − 1` over paired costs and optima (tour lengths,
    /// makespans): 0 when every solution is optimal, 0.1 when they are 10 % longer on average.
    public static func mean(costs: [Double], optima: [Double]) -> Double {
        precondition(costs.count == optima.count && !costs.isEmpty, "optimality gap: \(costs.count) costs for \(optima.count) optima")
        return zip(costs, optima).reduce(0.0) { $0 + ($1.0 / $1.1 - 1) } / Double(costs.count)
    }
}
