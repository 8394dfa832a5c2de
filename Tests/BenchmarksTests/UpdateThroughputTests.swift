import Testing
@testable import Benchmarks
import Submissions

/// Not a timing test: checks the benchmark runs and accounts bytes as documented.
@Suite struct UpdateThroughputTests {
    @Test func measuresAdamWLionAndAdafactor() throws {
        let adamw = try UpdateThroughput.measure(AdamW.self, parameterCount: 10_000, minimumSeconds: 0)
        #expect(adamw.bytesPerStep == 10_000 * 12 + 2 * 2 * 10_000 * 4)
        #expect(adamw.secondsPerStep > 0 && adamw.gigabytesPerSecond > 0)
        let lion = try UpdateThroughput.measure(Lion.self, parameterCount: 10_000, minimumSeconds: 0)
        #expect(lion.bytesPerStep == 10_000 * 12 + 2 * 10_000 * 4)
        // 40 000 = 200 × 200 is factored (both sides ≥ 128): 400 floats of state.
        let adafactor = try UpdateThroughput.measure(Adafactor.self, parameterCount: 40_000, minimumSeconds: 0)
        #expect(adafactor.bytesPerStep == 40_000 * 12 + 2 * 400 * 4)
    }
}
