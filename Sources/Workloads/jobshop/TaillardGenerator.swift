/// Taillard's (1993) instance generator for the job shop, exactly as published, so that
/// his time and machine seeds reproduce his instances (`ta01` from seeds 840612802 and
/// 398197754; a test checks it against the stored file).
///
/// The random numbers are the Lehmer generator `x ← 16807·x mod (2³¹ − 1)` (computed with
/// Schrage's method), `unif(x, a, b) = a + ⌊(x / (2³¹ − 1)) · (b − a + 1)⌋`. Durations:
/// `unif(time_seed, 1, 99)` job by job, operation by operation. Machine orders: each job
/// starts from `0, 1, …, m−1` and, for `i = 0…m−1`, swaps position `i` with
/// `unif(machine_seed, i, m−1)`.
public struct TaillardGenerator: Sendable {
    /// The modulus `2³¹ − 1`.
    public static let modulus = 2_147_483_647

    private var state: Int

    /// A generator at `seed`, which must lie in `1..<2³¹ − 1`.
    public init(seed: Int) {
        precondition(seed >= 1 && seed < Self.modulus, "TaillardGenerator: seed must lie in 1..<\(Self.modulus), got \(seed)")
        state = seed
    }

    /// A seed in `1..<2³¹ − 1` from any 64-bit seed (for generated training instances).
    public static func seed(from value: UInt64) -> Int {
        1 + Int(value % UInt64(modulus - 1))
    }

    /// The next integer uniform in `low...high`.
    public mutating func uniform(_ low: Int, _ high: Int) -> Int {
        let (a, b, c) = (16807, 127_773, 2836)
        let k = state / b
        state = a * (state % b) - k * c
        if state < 0 { state += Self.modulus }
        let unit = Double(state) / Double(Self.modulus)
        return low + Int((unit * Double(high - low + 1)).rounded(.down))
    }

    /// The instance Taillard's procedure makes from `timeSeed` and `machineSeed`.
    public static func instance(name: String, jobs: Int, machines: Int, timeSeed: Int, machineSeed: Int) -> JobShopInstance {
        var times = TaillardGenerator(seed: timeSeed)
        let durations = (0..<(jobs * machines)).map { _ in times.uniform(1, 99) }
        var order = TaillardGenerator(seed: machineSeed)
        var machineOrder: [Int] = []
        for _ in 0..<jobs {
            var row = Array(0..<machines)
            for i in 0..<machines { row.swapAt(i, order.uniform(i, machines - 1)) }
            machineOrder += row
        }
        return JobShopInstance(name: name, jobs: jobs, machines: machines, durations: durations, machineOrder: machineOrder)
    }
}
