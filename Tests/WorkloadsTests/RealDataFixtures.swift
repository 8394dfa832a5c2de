import CZlib
import Core
import Foundation
import Tensor
import Testing
@testable import Workloads

/// Small generated stand-ins for the real-data workloads' files: gzipped idx files (made
/// with the system's zlib) and temporary folders to put them in.
enum RealDataFixtures {
    /// `bytes` as a gzip file (zlib's deflate with gzip framing).
    static func gzipped(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(optbench_deflateInit2(&stream, 6, 15 + 16) == Z_OK, "deflateInit2 failed")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let written: Int = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = inp.baseAddress
                stream.avail_in = uInt(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END, "deflate did not finish")
                return out.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<written])
    }

    /// An idx file of unsigned bytes with `dimensions` and `elements`.
    static func idx(dimensions: [Int], elements: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
        for size in dimensions { bytes += (0..<4).map { UInt8(truncatingIfNeeded: size >> (24 - 8 * $0)) } }
        return bytes + elements
    }

    /// A fresh temporary folder.
    static func folder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-realdata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Grey `size × size` images of `classes` kinds: class `c` lights quadrant `c mod 4`
    /// of the image (216…255) on a dark ground (0…19), every pixel seeded noise, so no two
    /// neighbours tie (ties would make max pooling's gradient jump under finite differences).
    static func quadrantImages(count: Int, size: Int, classes: Int, seed: UInt64) -> (pixels: [UInt8], labels: [UInt8]) {
        var generator = RandomGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: count * size * size)
        var labels = [UInt8](repeating: 0, count: count)
        let half = size / 2
        for i in 0..<count {
            let label = generator.nextInt(below: classes)
            labels[i] = UInt8(label)
            let (top, left) = ((label % 4) / 2 * half, (label % 4) % 2 * half)
            for y in 0..<size {
                for x in 0..<size {
                    let lit = y >= top && y < top + half && x >= left && x < left + half
                    pixels[i * size * size + y * size + x] = UInt8(lit ? 255 - generator.nextInt(below: 40) : generator.nextInt(below: 20))
                }
            }
        }
        return (pixels, labels)
    }

    /// A `fashion_mnist` spec reading a folder of generated files (`size`-pixel quadrant
    /// images, `trainFile` + `test` of them, 4 classes) and a tiny network, and the folder.
    static func fashionSpec(
        size: Int = 8, trainFile: Int = 40, validation: Int = 8, test: Int = 12, channels: (Int, Int, Int) = (2, 3, 5)
    ) throws -> (spec: WorkloadSpec, folder: String) {
        let folder = try folder()
        let names = FashionMNISTSettings.fileNames
        var digests: [String: JSONValue] = [:]
        for (split, count, imageName, labelName, seed) in [
            ("train", trainFile, names.trainImages, names.trainLabels, UInt64(1)), ("test", test, names.testImages, names.testLabels, UInt64(2)),
        ] {
            let (pixels, labels) = quadrantImages(count: count, size: size, classes: 4, seed: seed)
            let imageFile = gzipped(idx(dimensions: [count, size, size], elements: pixels))
            let labelFile = gzipped(idx(dimensions: [count], elements: labels))
            try write(imageFile, to: folder + "/" + imageName)
            try write(labelFile, to: folder + "/" + labelName)
            digests["\(split)_images_sha256"] = .string(SHA256.hexDigest(imageFile))
            digests["\(split)_labels_sha256"] = .string(SHA256.hexDigest(labelFile))
        }
        var overrides: [String: JSONValue] = [
            "data_folder": .string(folder), "image_size": .number(Double(size)), "classes": .number(4),
            "train_file_examples": .number(Double(trainFile)), "validation_examples": .number(Double(validation)),
            "test_examples": .number(Double(test)), "train_eval_examples": .number(10),
            "conv1_channels": .number(Double(channels.0)), "conv2_channels": .number(Double(channels.1)),
            "hidden_units": .number(Double(channels.2)),
        ]
        overrides.merge(digests) { $1 }
        return (try WorkloadTestSupport.spec("fashion_mnist", overrides: overrides), folder)
    }

    /// The `InputError` `body` throws (nil when it throws none).
    static func inputError(_ body: () throws -> Void) -> InputError? {
        do {
            try body()
            return nil
        } catch let error as InputError {
            return error
        } catch {
            return InputError(source: "", field: nil, message: "unexpected error \(error)")
        }
    }
}
