import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

/// The procedural CIFAR-like images: determinism, balance, normalisation, augmentation,
/// and that the classes are learnable but not linearly trivial.
@Suite struct CNNDataTests {
    static func settings(_ extra: [String: JSONValue] = [:]) throws -> CNNSettings {
        var overrides: [String: JSONValue] = [
            "train_examples": .number(300), "validation_examples": .number(100), "test_examples": .number(100),
            "train_eval_examples": .number(100),
        ]
        overrides.merge(extra) { $1 }
        return try CNNSettings(spec: WorkloadTestSupport.spec("cnn", overrides: overrides))
    }

    static func data(_ extra: [String: JSONValue] = [:]) throws -> CNNData {
        CNNData(settings: try settings(extra))
    }

    @Test func sameSeedGivesBitIdenticalImagesAndAugmentedBatches() throws {
        let a = try Self.data(), b = try Self.data()
        #expect(a.prototypes == b.prototypes)
        #expect(a.train == b.train && a.validation == b.validation && a.test == b.test)
        #expect(a.normalization == b.normalization)
        var ga = RandomGenerator(seed: 7), gb = RandomGenerator(seed: 7)
        let indices = [3, 1, 4, 1, 5, 9, 2, 6]
        let batchA = a.train.augmentedBatch(indices, normalization: a.normalization, padding: 4, flip: true, using: &ga)
        let batchB = b.train.augmentedBatch(indices, normalization: b.normalization, padding: 4, flip: true, using: &gb)
        #expect(batchA.images.scalars.map(\.bitPattern) == batchB.images.scalars.map(\.bitPattern))
        #expect(batchA.labels == batchB.labels)
    }

    @Test func differentSeedsAndSplitsGiveDifferentImages() throws {
        let a = try Self.data(), b = try Self.data(["data_seed": .number(1)])
        #expect(a.prototypes != b.prototypes)
        #expect(a.train.pixels != b.train.pixels)
        // The splits are drawn from different streams: no validation image repeats a training image.
        let e = a.train.imageElements
        let trainImages = Set((0..<a.train.count).map { Array(a.train.pixels[($0 * e)..<(($0 + 1) * e)]) })
        for i in 0..<a.validation.count { #expect(!trainImages.contains(Array(a.validation.pixels[(i * e)..<((i + 1) * e)]))) }
        #expect(trainImages.count == a.train.count)  // and every training image is distinct
        // Different augmentation seeds crop and flip differently.
        var g1 = RandomGenerator(seed: 1), g2 = RandomGenerator(seed: 2)
        let indices = Array(0..<16)
        let x1 = a.train.augmentedBatch(indices, normalization: a.normalization, padding: 4, flip: true, using: &g1)
        let x2 = a.train.augmentedBatch(indices, normalization: a.normalization, padding: 4, flip: true, using: &g2)
        #expect(x1.images != x2.images)
        #expect(x1.labels == x2.labels)
    }

    @Test func classesAreBalancedAndPrototypesHaveDistinctShapes() throws {
        let d = try Self.data(["train_examples": .number(250), "classes": .number(5)])
        var counts = [Int](repeating: 0, count: 5)
        for label in d.train.labels { counts[Int(label)] += 1 }
        #expect(counts == [50, 50, 50, 50, 50])
        #expect(d.prototypes.count == 5)
        #expect(Set(d.prototypes.map(\.shape)).count == 5)
        let ten = try Self.data()
        #expect(Set(ten.prototypes.map(\.shape)).count == 10)
        for p in ten.prototypes {
            #expect(p.palette.count == ImageClassPrototype.paletteSize)
            #expect(ImageClassPrototype.textureFrequencies.contains(p.textureFrequency))
        }
    }

    @Test func normalisedTrainingImagesHaveZeroMeanAndUnitVariancePerChannel() throws {
        let d = try Self.data()
        let batch = d.train.batch(0..<d.train.count, normalization: d.normalization)
        #expect(batch.images.shape == [300, 3, 32, 32])
        let plane = 32 * 32
        for c in 0..<3 {
            var sum = 0.0, square = 0.0
            for i in 0..<300 {
                for j in 0..<plane {
                    let v = Double(batch.images.scalars[(i * 3 + c) * plane + j])
                    sum += v
                    square += v * v
                }
            }
            let n = Double(300 * plane)
            #expect(abs(sum / n) < 1e-4, "channel \(c) mean \(sum / n)")
            #expect(abs(square / n - 1) < 1e-3, "channel \(c) variance \(square / n)")
            #expect(d.normalization.standardDeviation[c] > 0.1 && d.normalization.mean[c] > 0.2 && d.normalization.mean[c] < 0.8)
        }
    }

    @Test func augmentationIsACropShiftAndMirrorOfTheSourceImage() throws {
        let d = try Self.data()
        let n = d.normalization, size = 32, plane = size * size
        let indices = Array(0..<40)
        let plain = d.train.batch(indices, normalization: n)
        // Without padding or flip the augmented batch is the plain batch.
        var g = RandomGenerator(seed: 3)
        #expect(d.train.augmentedBatch(indices, normalization: n, padding: 0, flip: false, using: &g) == plain)
        let augmented = d.train.augmentedBatch(indices, normalization: n, padding: 4, flip: true, using: &g)
        let black = (0..<3).map { n.table[$0 * 256] }
        var flips = 0, shifts = Set<[Int]>()
        for k in indices {
            // Find the one transform (dy, dx, mirrored) that reproduces the augmented image exactly.
            var matches: [[Int]] = []
            for dy in -4...4 {
                for dx in -4...4 {
                    for mirrored in [false, true] {
                        var same = true
                        check: for c in 0..<3 {
                            for y in 0..<size {
                                for x in 0..<size {
                                    let sy = y + dy, sx = (mirrored ? size - 1 - x : x) + dx
                                    let expected = sy >= 0 && sy < size && sx >= 0 && sx < size
                                        ? plain.images.scalars[(k * 3 + c) * plane + sy * size + sx] : black[c]
                                    if augmented.images.scalars[(k * 3 + c) * plane + y * size + x] != expected { same = false; break check }
                                }
                            }
                        }
                        if same { matches.append([dy, dx, mirrored ? 1 : 0]) }
                    }
                }
            }
            #expect(matches.count >= 1, "augmented image \(k) is no crop/flip of its source")
            if let m = matches.first {
                flips += m[2]
                shifts.insert([m[0], m[1]])
            }
        }
        #expect(augmented.labels == plain.labels)
        #expect(flips > 5 && flips < 35, "\(flips) of 40 mirrored")
        #expect(shifts.count > 10, "only \(shifts.count) distinct shifts in 40 images")
    }

    @Test func everyShapeFitsTheUnitDiskAndTheShapesDiffer() {
        // Rasterise each shape on a 64×64 grid over [−1.2, 1.2]².
        let grid = 64
        func mask(_ shape: ImageShape) -> [Bool] {
            (0..<(grid * grid)).map { i in
                let x = (Float(i % grid) + 0.5) / Float(grid) * 2.4 - 1.2, y = (Float(i / grid) + 0.5) / Float(grid) * 2.4 - 1.2
                return shape.signedDistance(x, y) < 0
            }
        }
        let masks = ImageShape.allCases.map(mask)
        for (shape, m) in zip(ImageShape.allCases, masks) {
            var inside = 0
            for (i, isInside) in m.enumerated() where isInside {
                inside += 1
                let x = (Double(i % grid) + 0.5) / Double(grid) * 2.4 - 1.2, y = (Double(i / grid) + 0.5) / Double(grid) * 2.4 - 1.2
                #expect(x * x + y * y < 1, "\(shape) reaches outside the unit disk at (\(x), \(y))")
            }
            // Area between 15% and 80% of the unit disk (π ≈ 711 cells of (2.4/64)²).
            let fraction = Double(inside) * (2.4 / Double(grid)) * (2.4 / Double(grid)) / Double.pi
            #expect(fraction > 0.15 && fraction < 0.8, "\(shape) covers \(fraction) of the unit disk")
        }
        for i in masks.indices {
            for j in masks.indices where j > i {
                let differing = zip(masks[i], masks[j]).filter { $0 != $1 }.count
                #expect(differing > grid * grid / 20, "\(ImageShape.allCases[i]) and \(ImageShape.allCases[j]) nearly coincide")
            }
        }
    }

    /// Nearest class mean on raw normalised pixels: position, scale and rotation smear the
    /// objects, so it beats chance (10%) clearly (0.187 on these 1000 images, chance ± 1%) but stays
    /// far from what a CNN reaches.
    @Test func nearestClassMeanOnPixelsBeatsChanceButIsFarFromPerfect() throws {
        let d = try Self.data(["train_examples": .number(2000), "validation_examples": .number(1000)])
        let train = d.train.batch(0..<d.train.count, normalization: d.normalization)
        let validation = d.validation.batch(0..<d.validation.count, normalization: d.normalization)
        let e = 3 * 32 * 32, classes = 10
        var means = [Double](repeating: 0, count: classes * e)
        for i in 0..<train.count {
            let c = Int(train.labels[i])
            for j in 0..<e { means[c * e + j] += Double(train.images.scalars[i * e + j]) / Double(train.count / classes) }
        }
        var correct = 0
        for i in 0..<validation.count {
            var best = 0, bestDistance = Double.infinity
            for c in 0..<classes {
                var distance = 0.0
                for j in 0..<e {
                    let diff = Double(validation.images.scalars[i * e + j]) - means[c * e + j]
                    distance += diff * diff
                }
                if distance < bestDistance { (best, bestDistance) = (c, distance) }
            }
            if best == Int(validation.labels[i]) { correct += 1 }
        }
        let accuracy = Double(correct) / Double(validation.count)
        #expect(accuracy > 0.15 && accuracy < 0.6, "nearest-class-mean accuracy \(accuracy)")
    }

    /// Calibration probe (OPTBENCH_CALIBRATE=1, meant for a release build): time to
    /// generate the real spec's full data set, which happens at every trial start.
    @Test(.enabled(if: WorkloadTestSupport.calibrationEnabled))
    func generationTimeProbe() throws {
        let settings = try CNNSettings(spec: WorkloadTestSupport.realSpec("cnn"))
        let start = Date()
        let data = CNNData(settings: settings)
        let seconds = Date().timeIntervalSince(start)
        let images = data.train.count + data.validation.count + data.test.count
        print("cnn data: \(images) images of \(settings.imageSize)² in \(seconds) s (\(seconds / Double(images) * 1e6) µs per image)")
        #expect(images == settings.trainExamples + settings.validationExamples + settings.testExamples)
    }
}
