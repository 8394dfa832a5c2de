import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

@Suite struct JobShopWorkloadTests {
    /// A tiny policy trained on 4 × 3 instances, validated on the real spec's sets.
    static func small(_ extra: [String: JSONValue] = [:]) throws -> JobShopWorkload {
        var overrides: [String: JSONValue] = [
            "jobs": .number(4), "machines": .number(3), "samples_per_instance": .number(3), "train_eval_instances": .number(3),
            "embedding_dim": .number(8), "heads": .number(2), "encoder_layers": .number(1), "feedforward_dim": .number(16),
        ]
        overrides.merge(extra) { $1 }
        return try JobShopWorkload(spec: WorkloadTestSupport.spec("jobshop", overrides: overrides))
    }

    @Test func sameSeedGivesBitIdenticalDataParametersAndLoss() throws {
        let a = try Self.small(), b = try Self.small()
        let pa = a.initialParameters(seed: 5), pb = b.initialParameters(seed: 5)
        #expect(pa == pb)
        let batchA = a.makeDataStream(seed: 9).nextBatch(size: 3), batchB = b.makeDataStream(seed: 9).nextBatch(size: 3)
        #expect(batchA == batchB)
        #expect(a.loss(pa, batch: batchA).bitPattern == b.loss(pb, batch: batchB).bitPattern)
        var ga = ParameterSet.zeros(like: pa), gb = ParameterSet.zeros(like: pb)
        #expect(a.lossAndGradient(pa, batch: batchA, into: &ga).bitPattern == b.lossAndGradient(pb, batch: batchB, into: &gb).bitPattern)
        #expect(ga == gb)
        #expect(ga.values.contains { $0 != 0 })
        // loss and lossAndGradient are the same function.
        #expect(a.loss(pa, batch: batchA).bitPattern == a.lossAndGradient(pa, batch: batchA, into: &ga).bitPattern)
        #expect(a.makeDataStream(seed: 10).nextBatch(size: 3) != batchA)
        #expect(a.initialParameters(seed: 6) != pa)
        #expect(a.evaluate(pa) == b.evaluate(pb))
    }

    /// The surrogate's gradient at fixed actions (schedules sampled once, then replayed)
    /// against central differences of the replayed surrogate, for every parameter tensor.
    @Test(arguments: [1, 2])
    func surrogateGradientAtFixedActionsMatchesCentralDifferences(layers: Int) throws {
        let w = try Self.small(["encoder_layers": .number(Double(layers))])
        var p = w.initialParameters(seed: 1)
        var generator = RandomGenerator(seed: 4)
        for i in p.values.indices { p.values[i] += 0.3 * generator.nextNormal() }
        let batch = w.makeDataStream(seed: 2).nextBatch(size: 2)
        let sequences = w.sampledRollouts(p, batch: batch, decoding: .sample).rollouts.sequences
        let given = JobShopPolicy.Decoding.given(sequences)
        var g = ParameterSet.zeros(like: p)
        let value = w.lossAndGradient(p, batch: batch, decoding: given, into: &g)
        #expect(value.bitPattern == w.loss(p, batch: batch, decoding: .sample).bitPattern)
        var pairs: [(Int, Double, Double)] = []
        for view in p.views {
            for i in view.range.prefix(6) {
                var plus = p, minus = p
                plus.values[i] += 1e-2
                minus.values[i] -= 1e-2
                let h = Double(plus.values[i]) - Double(minus.values[i])
                let numeric = (Double(w.loss(plus, batch: batch, decoding: given)) - Double(w.loss(minus, batch: batch, decoding: given))) / h
                pairs.append((i, Double(g.values[i]), numeric))
            }
        }
        #expect(pairs.contains { abs($0.1) > 1e-4 }, "a gradient of zeros checks nothing")
        WorkloadTestSupport.compare(pairs, tolerance: 3e-2, what: "surrogate gradient", sourceLocation: #_sourceLocation)
    }

    /// On the hand instance of the simulator tests there are three schedules (choice
    /// sequences): their replayed probabilities sum to one, and sampling follows them.
    @Test func scheduleProbabilitiesSumToOne() throws {
        let w = try Self.small()
        let p = w.initialParameters(seed: 3)
        let instance = JobShopSimulatorTests.twoByTwo
        let sequences = [[0, 0, 1, 1], [1, 0, 1, 0], [1, 0, 0, 1]]
        let replayed = w.policy.rollouts(p, instances: [JobShopInstance](repeating: instance, count: 3), seeds: [0, 0, 0], decoding: .given(sequences))
        #expect(replayed.sequences == sequences)
        #expect(replayed.schedules.map(\.makespan) == [9, 8, 11])
        #expect(replayed.decisions.count == 5)  // one choice for the first, two for each of the others
        let logP = w.policy.score(p, replayed.decisions, jobs: 2, rolloutCount: 3).logProbabilities
        #expect(abs(logP.map(Foundation.exp).reduce(0, +) - 1) < 1e-6)
        let samples = 3000
        let sampled = w.policy.rollouts(p, instances: [JobShopInstance](repeating: instance, count: samples), seeds: (0..<samples).map { UInt64($0) + 1 }, decoding: .sample)
        for (k, sequence) in sequences.enumerated() {
            let frequency = Double(sampled.sequences.filter { $0 == sequence }.count) / Double(samples)
            let probability = Foundation.exp(logP[k])
            #expect(abs(frequency - probability) < 4 * (probability * (1 - probability) / Double(samples)).squareRoot() + 1e-3, "schedule \(sequence): sampled \(frequency), probability \(probability)")
        }
        // Greedy takes the most probable choice at each point.
        let greedy = w.policy.rollouts(p, instances: [instance], seeds: [0], decoding: .greedy).sequences[0]
        let firstChoice = Foundation.exp(logP[0]) >= Foundation.exp(logP[1]) + Foundation.exp(logP[2])
        #expect(greedy == (firstChoice ? sequences[0] : (logP[1] > logP[2] ? sequences[1] : sequences[2])))
    }

    /// The metric is the mean of makespan ÷ optimum − 1 over the named instances, in order.
    @Test func gapMetricReadsTheOptimaInOrder() throws {
        #expect(abs(OptimalityGap.mean(costs: [60, 930], optima: [55, 930]) - 5.0 / 110) < 1e-15)
        #expect(OptimalityGap.mean(costs: [55], optima: [55]) == 0)
        let w = try Self.small()
        #expect(w.validationSet.instances.map(\.name) == ["la16", "la17", "la18", "la19", "la20", "orb01", "orb02", "orb03", "orb04", "orb05"])
        #expect(w.validationSet.optima == [945, 784, 848, 842, 902, 1059, 888, 1005, 1005, 887])
        #expect(w.testSet.instances.map(\.name) == ["orb06", "orb07", "orb08", "orb09", "orb10", "ft10", "abz5", "abz6"])
        #expect(w.testSet.optima == [1010, 397, 899, 934, 944, 930, 1234, 943])
        let p = w.initialParameters(seed: 1)
        let makespans = w.greedyMakespans(p, w.validationSet.instances)
        for (m, optimum) in zip(makespans, w.validationSet.optima) { #expect(m >= optimum) }
        let expected = zip(makespans, w.validationSet.optima).reduce(0.0) { $0 + Double($1.0) / Double($1.1) - 1 } / 10
        let metrics = w.evaluate(p)
        #expect(abs(metrics.validationMetric - expected) < 1e-12)
        #expect(metrics.testMetric > 0 && metrics.trainLoss >= 1)
    }

    @Test func realSpecAndVariantLoad() throws {
        let spec = try WorkloadTestSupport.realSpec("jobshop")
        let base = try JobShopWorkload(spec: spec)
        #expect(base.settings.jobs == 10 && base.settings.machines == 10)
        let variant = try JobShopWorkload(spec: try #require(spec.variants.first { $0.name == "jobshop_15x15" }))
        #expect(variant.validationSet.instances.allSatisfy { $0.jobs == 15 && $0.machines == 15 })
        #expect(variant.testSet.optima.count == 5)
        #expect(base.info.layout == variant.info.layout)  // the policy does not depend on the size
    }

    @Test func specErrorsNameTheField() throws {
        func error(_ overrides: [String: JSONValue]) throws -> InputError? {
            do { _ = try Self.small(overrides); return nil } catch let e as InputError { return e }
        }
        #expect(try error(["validation_instances": .array([.string("la16"), .string("nope")])])?.field == "settings.validation_instances[1]")
        #expect(try error(["test_instances": .array([.string("abz8")])])?.message.contains("not proven") == true)
        #expect(try error(["test_instances": .array([])])?.field == "settings.test_instances")
        #expect(try error(["reference_sha256": .string(String(repeating: "a", count: 64))])?.message.contains("SHA-256") == true)
        #expect(try error(["reference_sha256": .string("xyz")])?.field == "settings.reference_sha256")
        #expect(try error(["heads": .number(3)])?.field == "settings.heads")
    }

    @Test func splitKeepsInstancesAndSeeds() throws {
        let w = try Self.small()
        let batch = w.makeDataStream(seed: 1).nextBatch(size: 5)
        let parts = w.split(batch, into: 2)
        #expect(parts.map(\.count).reduce(0, +) == 5 && w.exampleCount(of: batch) == 5)
        #expect(parts.flatMap(\.instances) == batch.instances && parts.flatMap(\.rolloutSeeds) == batch.rolloutSeeds)
    }
}
