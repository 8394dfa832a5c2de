/// Exact TSP by the Held–Karp dynamic programme (Bellman 1962; Held & Karp 1962).
///
/// With city 0 as the fixed start, `D[S][j]` is the length of the shortest path that
/// leaves city 0, visits exactly the cities of `S ⊆ {1, …, n−1}` and ends at `j ∈ S`:
/// `D[{j}][j] = d(0, j)`, `D[S][j] = min_{i ∈ S∖{j}} D[S∖{j}][i] + d(i, j)`, and the optimum
/// is `min_j D[{1…n−1}][j] + d(j, 0)`. Time `O(2ⁿ n²)`, memory `2^{n−1}(n−1)` Doubles plus
/// as many one-byte parents (20 cities: about 90 MB, well under a second in a release
/// build). Ties go to the smallest city index, so the returned tour is deterministic.
public enum HeldKarp {
    /// The largest instance accepted (25 cities would need 2²⁴·24 Doubles ≈ 3.2 GB).
    public static let maximumCities = 22

    /// An optimal tour starting at city 0 and its length, recomputed by summing the tour's
    /// edges in order (`TSPInstance.tourLength`).
    public static func solve(_ instance: TSPInstance) -> (length: Double, tour: [Int]) {
        let n = instance.cities
        precondition(n <= maximumCities, "HeldKarp.solve: \(n) cities exceed the limit of \(maximumCities)")
        if n <= 3 {
            let tour = Array(0..<n)
            return (instance.tourLength(tour), tour)
        }
        let m = n - 1  // cities 1…n−1 are bits 0…m−1
        let d = instance.distanceMatrix()
        let subsets = 1 << m
        var cost = [Double](repeating: .infinity, count: subsets * m)
        var parent = [UInt8](repeating: 0, count: subsets * m)
        cost.withUnsafeMutableBufferPointer { D in
            parent.withUnsafeMutableBufferPointer { P in
                d.withUnsafeBufferPointer { dist in
                    for j in 0..<m { D[(1 << j) * m + j] = dist[j + 1] }
                    for mask in 1..<subsets where mask & (mask - 1) != 0 {
                        var remaining = mask
                        while remaining != 0 {
                            let j = remaining.trailingZeroBitCount
                            remaining &= remaining - 1
                            let previous = mask ^ (1 << j)
                            let row = previous * m
                            var best = Double.infinity, bestCity = 0
                            var candidates = previous
                            while candidates != 0 {
                                let i = candidates.trailingZeroBitCount
                                candidates &= candidates - 1
                                let value = D[row + i] + dist[(i + 1) * n + j + 1]
                                if value < best { best = value; bestCity = i }
                            }
                            D[mask * m + j] = best
                            P[mask * m + j] = UInt8(bestCity)
                        }
                    }
                }
            }
        }
        let full = subsets - 1
        var last = 0, best = Double.infinity
        for j in 0..<m {
            let value = cost[full * m + j] + d[(j + 1) * n]
            if value < best { best = value; last = j }
        }
        // Walk the parents back from the last city.
        var reversed: [Int] = []
        var mask = full, city = last
        while true {
            reversed.append(city + 1)
            let previousMask = mask ^ (1 << city)
            if previousMask == 0 { break }
            city = Int(parent[mask * m + city])
            mask = previousMask
        }
        let tour = [0] + reversed.reversed()
        return (instance.tourLength(tour), tour)
    }
}
