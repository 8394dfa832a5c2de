import Core
import Foundation
import Testing
@testable import Workloads

/// Reading Fashion-MNIST's gzipped idx files: generated fixtures for the parser and its
/// errors, the seeded split, and (one test) the installed package's files themselves.
@Suite struct FashionMNISTDataTests {
    typealias Fixtures = RealDataFixtures

    @Test func parsesAGeneratedGzippedIdxFile() throws {
        let elements = (0..<24).map { UInt8($0 * 7 % 256) }
        let file = Fixtures.gzipped(Fixtures.idx(dimensions: [2, 3, 4], elements: elements))
        let parsed = try IDXFile(parsing: try Gzip.decompress(file, source: "x.gz", maximumBytes: 1000), rank: 3, source: "x.gz")
        #expect(parsed.dimensions == [2, 3, 4])
        #expect(parsed.elements == elements)
    }

    @Test func aTruncatedGzipFileIsAClearError() throws {
        let file = Fixtures.gzipped(Fixtures.idx(dimensions: [50], elements: (0..<50).map { UInt8($0) }))
        let error = try #require(Fixtures.inputError { _ = try Gzip.decompress(Array(file.prefix(file.count / 2)), source: "labels.gz", maximumBytes: 1000) })
        #expect(error.source == "labels.gz" && error.message.contains("truncated gzip"))
        let garbage = try #require(Fixtures.inputError { _ = try Gzip.decompress(Array("not gzip at all".utf8), source: "g.gz", maximumBytes: 1000) })
        #expect(garbage.source == "g.gz" && garbage.message.contains("not a valid gzip file"))
    }

    @Test func bytesAfterTheGzipStreamAreRefused() throws {
        let file = Fixtures.gzipped([1, 2, 3])
        #expect(try Gzip.decompress(file, source: "t.gz", maximumBytes: 10) == [1, 2, 3])
        let error = try #require(Fixtures.inputError { _ = try Gzip.decompress(file + [0, 0], source: "t.gz", maximumBytes: 10) })
        #expect(error.source == "t.gz" && error.message.contains("2 bytes after the end of its gzip stream"))
    }

    @Test func dataPathsResolveAgainstTheSpecsFolder() {
        #expect(DataFile.resolve("../data/kjv.txt", relativeTo: "/repo/workloads/kjv.json") == "/repo/workloads/../data/kjv.txt")
        #expect(DataFile.resolve("/usr/share/x", relativeTo: "/repo/workloads/a.json") == "/usr/share/x")
        #expect(DataFile.resolve("data/k.txt", relativeTo: "k.json") == "data/k.txt")
    }

    @Test func aGzipFileInflatingPastTheLimitIsRefused() throws {
        let file = Fixtures.gzipped([UInt8](repeating: 0, count: 100_000))
        let error = try #require(Fixtures.inputError { _ = try Gzip.decompress(file, source: "bomb.gz", maximumBytes: 10_000) })
        #expect(error.message.contains("more than 10000 bytes"))
    }

    @Test func aTruncatedIdxFileIsAClearError() throws {
        let whole = Fixtures.idx(dimensions: [3, 2, 2], elements: [UInt8](repeating: 9, count: 12))
        let short = try #require(Fixtures.inputError { _ = try IDXFile(parsing: Array(whole.dropLast(5)), rank: 3, source: "i.idx") })
        #expect(short.source == "i.idx" && short.message.contains("truncated") && short.message.contains("need 28 bytes, found 23"))
        let header = try #require(Fixtures.inputError { _ = try IDXFile(parsing: Array(whole.prefix(9)), rank: 3, source: "i.idx") })
        #expect(header.message.contains("truncated in its header"))
        let trailing = try #require(Fixtures.inputError { _ = try IDXFile(parsing: whole + [1], rank: 3, source: "i.idx") })
        #expect(trailing.message.contains("trailing bytes"))
    }

    @Test func aWrongMagicIsAClearError() throws {
        var file = Fixtures.idx(dimensions: [4], elements: [1, 2, 3, 4])
        file[2] = 0x0D  // type code of floats
        let error = try #require(Fixtures.inputError { _ = try IDXFile(parsing: file, rank: 1, source: "l.idx") })
        #expect(error.source == "l.idx" && error.message.contains("has magic 00 00 0d 01, expected 00 00 08 01"))
        let rank = try #require(Fixtures.inputError { _ = try IDXFile(parsing: Fixtures.idx(dimensions: [4], elements: [1, 2, 3, 4]), rank: 3, source: "l.idx") })
        #expect(rank.message.contains("expected 00 00 08 03"))
    }

    @Test func hugeDeclaredDimensionsAreRejectedWithoutAllocating() throws {
        let file = Fixtures.idx(dimensions: [0x7FFF_FFFF, 0x7FFF_FFFF, 0x7FFF_FFFF], elements: [1, 2])
        let error = try #require(Fixtures.inputError { _ = try IDXFile(parsing: file, rank: 3, source: "h.idx") })
        #expect(error.message.contains("cannot fit"))
    }

    @Test func theSplitIsDeterministicDisjointAndComplete() {
        let a = FashionMNISTData.split(count: 1000, validation: 100, seed: 7)
        let b = FashionMNISTData.split(count: 1000, validation: 100, seed: 7)
        #expect(a.train == b.train && a.validation == b.validation)
        #expect(a.train.count == 900 && a.validation.count == 100)
        #expect(Set(a.train).isDisjoint(with: a.validation))
        #expect((a.train + a.validation).sorted() == Array(0..<1000))
        let other = FashionMNISTData.split(count: 1000, validation: 100, seed: 8)
        #expect(other.validation != a.validation)
        // Not a block: the validation images come from all over the file.
        #expect(a.validation.first! < 100 && a.validation.last! > 900)
    }

    @Test func loadsGeneratedFilesIntoTheSplitSets() throws {
        let (spec, _) = try Fixtures.fashionSpec()
        let settings = try FashionMNISTSettings(spec: spec)
        let data = try FashionMNISTData(settings: settings)
        #expect(data.train.count == 32 && data.validation.count == 8 && data.test.count == 12)
        #expect(data.train.channels == 1 && data.train.size == 8)
        // The sets are the file's images at the split's indices.
        let (pixels, labels) = Fixtures.quadrantImages(count: 40, size: 8, classes: 4, seed: 1)
        let split = FashionMNISTData.split(count: 40, validation: 8, seed: settings.splitSeed)
        #expect(data.validation.labels == split.validation.map { Int32(labels[$0]) })
        #expect(Array(data.train.pixels.prefix(64)) == Array(pixels[(split.train[0] * 64)..<(split.train[0] * 64 + 64)]))
    }

    @Test func aMissingOrCorruptFileNamesItAndTheInstallLine() throws {
        let (spec, folder) = try Fixtures.fashionSpec()
        let settings = try FashionMNISTSettings(spec: spec)
        let labels = folder + "/" + FashionMNISTSettings.fileNames.testLabels
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: labels)))
        bytes[bytes.count / 2] ^= 0xFF
        try Fixtures.write(bytes, to: labels)
        let corrupt = try #require(Fixtures.inputError { _ = try FashionMNISTData(settings: settings) })
        #expect(corrupt.source == labels && corrupt.message.contains("SHA-256"))
        #expect(corrupt.message.contains("apt-get install --reinstall -y dataset-fashion-mnist"))
        try FileManager.default.removeItem(atPath: labels)
        let missing = try #require(Fixtures.inputError { _ = try FashionMNISTData(settings: settings) })
        #expect(missing.source == labels && missing.message.hasPrefix("no such file"))
        #expect(missing.message.contains("apt-get install --reinstall -y dataset-fashion-mnist"))
    }

    @Test func aFileOfTheWrongCountIsAClearError() throws {
        let (spec, _) = try Fixtures.fashionSpec()
        var wrong = spec
        wrong.settings["test_examples"] = .number(13)
        let error = try #require(Fixtures.inputError { _ = try FashionMNISTData(settings: FashionMNISTSettings(spec: wrong)) })
        #expect(error.source.hasSuffix("t10k-images-idx3-ubyte.gz") && error.message.contains("expected [13, 8, 8]"))
    }

    /// The installed package (`make deps`): every file matches the spec's digest, the split
    /// sizes are 55,000 / 5,000 / 10,000, and the classes are balanced as published
    /// (6,000 per class in the training file, 1,000 in the test file).
    @Test func readsTheInstalledPackage() throws {
        let settings = try FashionMNISTSettings(spec: WorkloadTestSupport.realSpec("fashion_mnist"))
        let data = try FashionMNISTData(settings: settings)
        #expect(data.train.count == 55_000 && data.validation.count == 5_000 && data.test.count == 10_000)
        #expect(data.train.size == 28 && data.train.channels == 1)
        func histogram(_ labels: [Int32]) -> [Int] { labels.reduce(into: [Int](repeating: 0, count: 10)) { $0[Int($1)] += 1 } }
        #expect(histogram(data.test.labels) == [Int](repeating: 1000, count: 10))
        #expect(zip(histogram(data.train.labels), histogram(data.validation.labels)).map(+) == [Int](repeating: 6000, count: 10))
        #expect(data.normalization.mean.count == 1 && abs(data.normalization.mean[0] - 0.286) < 0.01)
    }
}
