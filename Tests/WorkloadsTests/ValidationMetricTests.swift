import Core
import NN
import Testing
@testable import Workloads

/// `validationMetric(_:)`, which the harness computes for the snapshots it refines a time
/// to target with, must be bit for bit the validation metric `evaluate(_:)` reports: a
/// snapshot meeting the target by one must meet it by the other.
@Suite struct ValidationMetricTests {
    /// Seeded initial parameters moved along a seeded direction, so that the metric is not
    /// that of an untrained model alone.
    static func expectSameValidation<W: Workload>(_ workload: W, sourceLocation: SourceLocation = #_sourceLocation) {
        for seed: UInt64 in [1, 2] {
            var parameters = workload.initialParameters(seed: seed)
            let direction = WorkloadTestSupport.randomDirection(like: parameters, seed: seed + 10)
            for i in parameters.values.indices { parameters.values[i] += 0.05 * direction.values[i] }
            let full = workload.evaluate(parameters).validationMetric
            let alone = workload.validationMetric(parameters)
            #expect(alone.bitPattern == full.bitPattern, "\(workload.spec.name): \(alone) alone, \(full) in evaluate", sourceLocation: sourceLocation)
            #expect(full.isFinite, sourceLocation: sourceLocation)
        }
    }

    @Test func regression() throws { Self.expectSameValidation(try RegressionTests.small()) }
    @Test func regressionMLP() throws { Self.expectSameValidation(try RegressionTests.small(variant: "regression_mlp")) }
    @Test func maxCut() throws { Self.expectSameValidation(try MaxCutTests.small()) }
    @Test func cnn() throws { Self.expectSameValidation(try CNNWorkloadTests.small()) }
    @Test func fashionMNIST() throws { Self.expectSameValidation(try FashionMNISTWorkloadTests.small()) }
    @Test func transformer() throws { Self.expectSameValidation(try TransformerWorkloadTests.small()) }
    @Test func kjv() throws {
        Self.expectSameValidation(try KJVWorkload(spec: KJVWorkloadTests.spec(bytes: KJVWorkloadTests.text(300)).spec))
    }
    @Test func tsp() throws { Self.expectSameValidation(try TSPWorkloadTests.small()) }
    @Test func jobShop() throws { Self.expectSameValidation(try JobShopWorkloadTests.small()) }
    @Test func bilevel() throws {
        Self.expectSameValidation(try BilevelHyperregTests.small())
        Self.expectSameValidation(try BilevelHypercleanTests.small())
    }
}
