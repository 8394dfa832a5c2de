import Core
import Results

/// AlgoPerf v0.6's base workloads as this project records workloads: the numbers of
/// `algoperf/workloads/<workload>/workload.py` at mlcommons/algorithmic-efficiency
/// 2c90454 (2025-09-05), the code AlgoPerf's scoring reads its targets from (its
/// `get_workload_metrics_and_targets`). Their time budgets are those of the v0.6
/// workload definitions (e.g. criteo1tb 7,703 s); logs made under older budgets are
/// judged against these targets, as AlgoPerf's own scoring judges them.
public enum AlgoPerfWorkloads {
    /// The AlgoPerf version and commit the table comes from.
    public static let source = "AlgoPerf v0.6 (mlcommons/algorithmic-efficiency 2c90454, algoperf/workloads/*/workload.py)"

    /// The eight base workloads, by name.
    public static let records: [String: WorkloadRecord] = Dictionary(uniqueKeysWithValues: [
        record("criteo1tb", "loss", .minimize, validation: 0.123735, test: 0.126041, runtime: 7_703, evalPeriod: 2 * 60, stepHint: 10_666),
        record("fastmri", "ssim", .maximize, validation: 0.723653, test: 0.740633, runtime: 4_430, evalPeriod: 80, stepHint: 18_094),
        record("imagenet_resnet", "accuracy", .maximize, validation: 1 - 0.22569, test: 1 - 0.3440, runtime: 66_159, evalPeriod: 510, stepHint: 195_999),
        record("imagenet_vit", "accuracy", .maximize, validation: 1 - 0.22691, test: 1 - 0.3481, runtime: 69_768, evalPeriod: 7 * 60, stepHint: 167_999),
        record("librispeech_conformer", "wer", .minimize, validation: 0.085884, test: 0.052981, runtime: 58_015, evalPeriod: 24 * 60, stepHint: 76_000),
        record("librispeech_deepspeech", "wer", .minimize, validation: 0.119936, test: 0.074143, runtime: 44_405, evalPeriod: 24 * 60, stepHint: 38_400),
        record("ogbg", "mean_average_precision", .maximize, validation: 0.28098, test: 0.268729, runtime: 12_011, evalPeriod: 4 * 60, stepHint: 52_000),
        record("wmt", "bleu", .maximize, validation: 30.8491, test: 30.7219, runtime: 43_336, evalPeriod: 14 * 60, stepHint: 120_000),
    ].map { ($0.name, $0) })

    /// The workload names, sorted.
    public static var names: [String] { records.keys.sorted() }

    private static func record(
        _ name: String, _ metric: String, _ direction: MetricDirection, validation: Double, test: Double, runtime: Double,
        evalPeriod: Double, stepHint: Int
    ) -> WorkloadRecord {
        WorkloadRecord(
            name: name, variantOf: nil, metric: metric, direction: direction, validationTarget: validation, testTarget: test,
            maxRuntimeSeconds: runtime, evalPeriodSeconds: evalPeriod, stepHint: stepHint)
    }
}
