import Core
import Foundation
import Tensor
import Testing
@testable import Workloads

@Suite struct TSPDataTests {
    /// Exhaustive search over the `(n−1)!` tours starting at city 0.
    static func bruteForce(_ instance: TSPInstance) -> Double {
        var best = Double.infinity
        var rest = Array(1..<instance.cities)
        func permute(_ k: Int) {
            if k == rest.count {
                best = min(best, instance.tourLength([0] + rest))
                return
            }
            for i in k..<rest.count {
                rest.swapAt(k, i)
                permute(k + 1)
                rest.swapAt(k, i)
            }
        }
        permute(0)
        return best
    }

    @Test func instancesAreSeededUniformPointsInTheUnitSquare() {
        let a = TSPInstance.uniform(cities: 20, seed: 4), b = TSPInstance.uniform(cities: 20, seed: 4)
        #expect(a == b)
        #expect(a != TSPInstance.uniform(cities: 20, seed: 5))
        #expect(a.coordinates.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(TSPInstance.seed(dataSeed: 0, split: "validation", index: 3) != TSPInstance.seed(dataSeed: 0, split: "test", index: 3))
        #expect(TSPInstance.seed(dataSeed: 0, split: "validation", index: 3) != TSPInstance.seed(dataSeed: 1, split: "validation", index: 3))
        // Mean coordinate over many points ≈ 1/2 (std of the mean 0.29/√4000 ≈ 0.005).
        let many = TSPInstance.uniform(cities: 2000, seed: 1).coordinates
        let mean = many.reduce(0.0) { $0 + Double($1) } / Double(many.count)
        #expect(abs(mean - 0.5) < 0.02)
    }

    @Test func tourLengthIsInvariantToRotationAndReversal() {
        let instance = TSPInstance(coordinates: [0, 0, 1, 0, 1, 1, 0, 1])  // unit square
        #expect(abs(instance.tourLength([0, 1, 2, 3]) - 4) < 1e-15)
        #expect(abs(instance.tourLength([2, 3, 0, 1]) - 4) < 1e-15)
        #expect(abs(instance.tourLength([3, 2, 1, 0]) - 4) < 1e-15)
        #expect(abs(instance.tourLength([0, 2, 1, 3]) - (2 + 2 * 2.0.squareRoot())) < 1e-15)
        #expect(!instance.isPermutation([0, 1, 1, 3]) && !instance.isPermutation([0, 1, 2]))
    }

    @Test(arguments: 1...8)
    func heldKarpMatchesBruteForce(cities: Int) {
        for seed in 0..<4 as Range<UInt64> {
            let instance = TSPInstance.uniform(cities: cities, seed: 100 + seed)
            let (length, tour) = HeldKarp.solve(instance)
            #expect(instance.isPermutation(tour) && tour.first == 0)
            #expect(abs(instance.tourLength(tour) - length) < 1e-15)
            let exact = Self.bruteForce(instance)
            #expect(abs(length - exact) <= 1e-12 * exact, "\(cities) cities, seed \(seed): Held-Karp \(length), brute force \(exact)")
        }
    }

    @Test func heldKarpFindsTheConvexPolygonOnShuffledCirclePoints() {
        // Points on a circle: the optimal tour visits them in angular order.
        let n = 12
        var generator = RandomGenerator(seed: 3)
        let order = generator.permutation(n)
        var coordinates = [Float](repeating: 0, count: 2 * n)
        for (slot, k) in order.enumerated() {
            let angle = 2 * Double.pi * Double(k) / Double(n)
            coordinates[2 * slot] = Float(0.5 + 0.4 * cos(angle))
            coordinates[2 * slot + 1] = Float(0.5 + 0.4 * sin(angle))
        }
        let instance = TSPInstance(coordinates: coordinates)
        let angular = (0..<n).map { k in order.firstIndex(of: k)! }
        let polygon = instance.tourLength(angular)
        #expect(abs(polygon - 2 * Double(n) * 0.4 * sin(Double.pi / Double(n))) < 1e-6)
        let (length, tour) = HeldKarp.solve(instance)
        #expect(abs(length - polygon) < 1e-12, "Held-Karp \(length), polygon \(polygon), tour \(tour)")
    }

    @Test func referenceRoundTripsThroughItsFileAndVerifyCatchesAWrongLength() throws {
        let reference = TSPReference.compute(cities: 7, dataSeed: 3, validationInstances: 5, testInstances: 3)
        for (split, lengths) in [("validation", reference.validation), ("test", reference.test)] {
            for (i, length) in lengths.enumerated() {
                let instance = TSPReference.instance(cities: 7, dataSeed: 3, split: split, index: i)
                #expect(length == HeldKarp.solve(instance).length)
                #expect(abs(length - Self.bruteForce(instance)) < 1e-12)
            }
        }
        let path = NSTemporaryDirectory() + "tsp_reference_\(ProcessInfo.processInfo.processIdentifier).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try reference.write(to: path)
        #expect(try TSPReference.load(contentsOf: path) == reference)
        let check = try TSPReference.verify(contentsOf: path)
        #expect(check.passed && check.instances == 8 && check.maximumRelativeError == 0)

        var tampered = reference
        tampered.test[1] *= 1.001
        try tampered.write(to: path)
        let failed = try TSPReference.verify(contentsOf: path)
        #expect(!failed.passed)
        #expect(failed.mismatches == [.init(split: "test", index: 1, stored: tampered.test[1], recomputed: reference.test[1])])
        #expect(failed.description.contains("test[1]"))
    }

    @Test func referenceLoadingRejectsBadFilesNamingTheField() throws {
        let path = NSTemporaryDirectory() + "tsp_reference_bad_\(ProcessInfo.processInfo.processIdentifier).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        func message(_ text: String) -> String {
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try TSPReference.load(contentsOf: path)
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        let good = #"{"description": "d", "cities": 5, "data_seed": 0, "validation": ["1.5"], "test": ["2.5"]}"#
        #expect(message(good) == "loaded")
        #expect(message(good.replacingOccurrences(of: "1.5", with: "-1")).contains("validation[0]"))
        #expect(message(good.replacingOccurrences(of: #""1.5""#, with: "1.5")).contains("validation[0]"))
        #expect(message(good.replacingOccurrences(of: #""cities": 5, "#, with: "")).contains("cities"))
        #expect(message(good.replacingOccurrences(of: #""test""#, with: #""tests""#)).contains("test"))
        #expect(message(good.replacingOccurrences(of: "5,", with: "40,")).contains("cities"))
    }

    /// The stored reference of the real spec: the right number of 20-city instances, each
    /// length between the straight-line lower bound and the nearest-neighbour tour.
    @Test func storedReferenceIsPlausibleForEveryInstance() throws {
        let path = (WorkloadTestSupport.specDirectory as NSString).appendingPathComponent("references/tsp.json")
        let reference = try TSPReference.load(contentsOf: path)
        #expect(reference.cities == 20)
        #expect(reference.validation.count >= 64 && reference.test.count >= 64)
        for (split, lengths) in [("validation", reference.validation), ("test", reference.test)] {
            for (i, length) in lengths.enumerated() {
                let instance = TSPReference.instance(cities: 20, dataSeed: reference.dataSeed, split: split, index: i)
                // Lower bound: every city is left along an edge at least as long as its nearest-neighbour distance.
                var lower = 0.0
                for a in 0..<20 { lower += (0..<20).filter { $0 != a }.map { instance.distance(a, $0) }.min()! }
                var tour = [0], unvisited = Set(1..<20)
                while let next = unvisited.min(by: { instance.distance(tour.last!, $0) < instance.distance(tour.last!, $1) }) {
                    tour.append(next); unvisited.remove(next)
                }
                let nearestNeighbour = instance.tourLength(tour)
                #expect(length >= lower - 1e-12 && length <= nearestNeighbour + 1e-12, "\(split)[\(i)]: \(length) outside [\(lower), \(nearestNeighbour)]")
            }
        }
        // Mean optimal length of uniform 20-city instances is about 3.83 (Beardwood-Halton-Hammersley regime).
        let mean = reference.validation.reduce(0, +) / Double(reference.validation.count)
        #expect(mean > 3.6 && mean < 4.1, "mean optimal validation length \(mean)")
    }

    /// Full re-check of the stored reference (slow in debug; OPTBENCH_TSP_RECHECK=1).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OPTBENCH_TSP_RECHECK"] != nil))
    func storedReferenceMatchesHeldKarp() throws {
        let path = (WorkloadTestSupport.specDirectory as NSString).appendingPathComponent("references/tsp.json")
        let check = try TSPReference.verify(contentsOf: path)
        print(check)
        #expect(check.passed, "\(check)")
    }

    /// Writes the reference (OPTBENCH_WRITE_TSP_REFERENCE=1, release build:
    /// `swift test -c release --filter TSPDataTests/writeReference`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OPTBENCH_WRITE_TSP_REFERENCE"] != nil))
    func writeReference() throws {
        let spec = try WorkloadTestSupport.realSpec("tsp")
        var reader = try spec.settingsReader()
        let cities = try reader.integer("cities")
        let dataSeed = UInt64(try reader.integer("data_seed"))
        let validation = try reader.integer("validation_instances")
        let test = try reader.integer("test_instances")
        let start = Date()
        let reference = TSPReference.compute(cities: cities, dataSeed: dataSeed, validationInstances: validation, testInstances: test)
        let path = (WorkloadTestSupport.specDirectory as NSString).appendingPathComponent("references/tsp.json")
        try reference.write(to: path)
        print("wrote \(path): \(validation) + \(test) instances in \(Date().timeIntervalSince(start)) s")
    }
}
