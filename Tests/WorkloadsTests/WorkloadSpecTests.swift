import Core
import Foundation
import NN
import Testing
@testable import Workloads

/// The real `workloads/*.json` specs of this folder's workloads load, build and match
/// their implementations; malformed specs stop with the file and the field named.
@Suite struct WorkloadSpecTests {
    static let names = ["regression", "maxcut", "bilevel_hyperreg", "bilevel_hyperclean"]

    @Test(arguments: WorkloadSpecTests.names)
    func realSpecLoadsAndEveryVariantBuilds(name: String) throws {
        let spec = try WorkloadTestSupport.realSpec(name)
        // Calibrated bases and variants (2026-12-03), each with the record of its calibration.
        #expect(spec.name == name && spec.variantOf == nil && !spec.provisional)
        #expect(WorkloadRegistry.names.contains(name))
        #expect(!spec.variants.isEmpty)
        for candidate in [spec] + spec.variants {
            #expect(!candidate.provisional && candidate.calibration != nil, "\(candidate.name) is not calibrated")
            #expect(candidate.maxRuntimeSeconds > 0 && candidate.maxRuntimeSeconds <= 10, "\(candidate.name): budget \(candidate.maxRuntimeSeconds) s")
            #expect(candidate.evalPeriodSeconds < candidate.maxRuntimeSeconds)
            let workload = try WorkloadRegistry.make(candidate)
            #expect(workload.info.name == candidate.name)
            #expect(workload.info.defaultBatchSize == candidate.defaultBatchSize)
            #expect(workload.info.lossType == candidate.lossType)
            #expect(workload.spec == candidate)
        }
    }

    /// No shipped spec, base or variant, is provisional: each was calibrated by the
    /// published procedure and carries the record of it (the last, `fashion_mnist_gelu_wide`,
    /// on 2026-12-04).
    @Test func everyShippedSpecIsCalibrated() throws {
        #expect(WorkloadRegistry.names.count >= 10)
        for name in WorkloadRegistry.names {
            let spec = try WorkloadTestSupport.realSpec(name)
            for candidate in [spec] + spec.variants {
                #expect(!candidate.provisional && candidate.calibration != nil, "\(candidate.name) is provisional")
            }
        }
    }

    /// The real-data workloads (their files from `make deps`): bases and variants are
    /// calibrated (each with its record) and build through the registry.
    @Test(arguments: ["fashion_mnist", "kjv"])
    func realDataSpecsAreCalibratedAndEveryVariantBuilds(name: String) throws {
        let spec = try WorkloadTestSupport.realSpec(name)
        #expect(!spec.provisional && spec.calibration != nil)
        #expect(spec.variants.count == 1 && spec.variants.allSatisfy { !$0.provisional && $0.calibration != nil })
        // The record as calibration wrote it: one of the four tuned baselines, 4 trials
        // each, 5 reruns (which baseline won is the calibration's finding, not asserted).
        let record = try #require(spec.calibration)
        #expect(["adamw", "nadamw", "nesterov", "heavy_ball"].contains(record.bestSubmission))
        #expect(record.tuningTrials == 4 && record.reruns == 5)
        for candidate in [spec] + spec.variants {
            #expect(candidate.evalPeriodSeconds < candidate.maxRuntimeSeconds)
            let workload = try WorkloadRegistry.make(candidate)
            #expect(workload.info.name == candidate.name && workload.info.defaultBatchSize == candidate.defaultBatchSize)
        }
    }

    @Test func variantsDifferFromTheirBaseOnlyWhereTheyOverride() throws {
        let regression = try WorkloadTestSupport.realSpec("regression")
        let cond = try #require(regression.variants.first { $0.name == "regression_cond1e4" })
        #expect(cond.variantOf == "regression")
        #expect(cond.settings["condition_number"] == .number(10000))
        var expected = regression.settings
        expected["condition_number"] = .number(10000)
        #expect(cond.settings == expected)
    }

    // MARK: Error cases

    /// Writes `json` to a fresh temporary `<name>.json` and returns its path.
    static func write(_ json: String, name: String = "regression") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(name).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The real regression spec text with `edit` applied to its parsed form.
    static func editedRegression(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let path = (WorkloadTestSupport.specDirectory as NSString).appendingPathComponent("regression.json")
        let data = try #require(FileManager.default.contents(atPath: path))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&object)
        let edited = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return try write(String(decoding: edited, as: UTF8.self))
    }

    static func loadError(_ path: String) -> InputError? {
        do {
            _ = try WorkloadSpec.load(contentsOf: path)
            return nil
        } catch let error as InputError {
            return error
        } catch {
            return InputError(source: "", field: nil, message: "unexpected error \(error)")
        }
    }

    @Test func unknownTopLevelKeyIsRejected() throws {
        let path = try Self.editedRegression { $0["max_runtime"] = 5 }
        let error = try #require(Self.loadError(path))
        #expect(error.source == path && error.field == "max_runtime")
        #expect(error.description.contains(path) && error.description.contains("not a known field"))
    }

    @Test func missingFieldIsRejected() throws {
        let path = try Self.editedRegression { $0.removeValue(forKey: "metric") }
        let error = try #require(Self.loadError(path))
        #expect(error.source == path && error.field == "metric" && error.message.contains("missing"))
    }

    @Test func wrongTypeIsRejected() throws {
        let path = try Self.editedRegression { $0["default_batch_size"] = "128" }
        let error = try #require(Self.loadError(path))
        #expect(error.source == path && error.field == "default_batch_size" && error.message.contains("number"))
    }

    @Test func variantOverridingAnUnknownSettingIsRejected() throws {
        let path = try Self.editedRegression { object in
            var variants = object["variants"] as? [[String: Any]] ?? []
            variants[0]["settings"] = ["conditioning": 10]
            object["variants"] = variants
        }
        let error = try #require(Self.loadError(path))
        #expect(error.source == path && error.field == "variants[0].settings.conditioning")
        #expect(error.message.contains("condition_number"))  // lists the valid settings
    }

    @Test func unknownWorkloadSettingIsRejectedByTheWorkload() throws {
        let path = try Self.editedRegression { object in
            var settings = object["settings"] as? [String: Any] ?? [:]
            settings["noise_sd"] = 0.5
            object["settings"] = settings
        }
        let spec = try WorkloadSpec.load(contentsOf: path)  // the generic loader cannot know workload settings
        #expect { try WorkloadRegistry.make(spec) } throws: { error in
            guard let error = error as? InputError else { return false }
            return error.source == path && error.field == "settings.noise_sd"
        }
    }

    @Test func mistypedVariantSettingNamesTheVariant() throws {
        let path = try Self.editedRegression { object in
            var variants = object["variants"] as? [[String: Any]] ?? []
            variants[0]["settings"] = ["condition_number": "large"]
            object["variants"] = variants
        }
        let spec = try WorkloadSpec.load(contentsOf: path)
        let variant = try #require(spec.variants.first)
        #expect { try WorkloadRegistry.make(variant) } throws: { error in
            guard let error = error as? InputError else { return false }
            return error.source == path && error.field == "variants[\(variant.name)].settings.condition_number"
                && error.message.contains("number")
        }
    }

    @Test func missingWorkloadSettingIsRejected() throws {
        for name in Self.names {
            var spec = try WorkloadTestSupport.realSpec(name)
            let key = try #require(spec.settings.keys.sorted().first)
            spec.settings.removeValue(forKey: key)
            #expect { try WorkloadRegistry.make(spec) } throws: { error in
                guard let error = error as? InputError else { return false }
                return error.field == "settings.\(key)" && error.message.contains("missing")
            }
        }
    }
}
