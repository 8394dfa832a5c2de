import Core

/// An array of unsigned bytes in LeCun's idx format (the MNIST family's files): a
/// big-endian magic `0x00 0x00 0x08 rank` (type code 8 = unsigned byte), `rank`
/// big-endian 32-bit dimensions, then the elements in row-major order.
///
/// The parser trusts nothing: the magic, the rank, every dimension and the exact byte
/// count are checked, and each mismatch is an `InputError` naming the file.
struct IDXFile: Sendable, Equatable {
    /// The dimensions, outermost first (`[60000, 28, 28]` for an image file).
    let dimensions: [Int]
    /// The elements, row-major.
    let elements: [UInt8]

    /// Parses `bytes` (the decompressed file `source`), which must hold a rank-`rank` array.
    init(parsing bytes: [UInt8], rank: Int, source: String) throws {
        func fail(_ message: String) -> InputError { InputError(source: source, field: nil, message: message) }
        guard bytes.count >= 4 else { throw fail("is too short for an idx file: \(bytes.count) bytes, no 4-byte magic") }
        let expectedMagic: [UInt8] = [0, 0, 8, UInt8(rank)]
        guard Array(bytes[0..<4]) == expectedMagic else {
            throw fail("has magic \(Self.hex(bytes[0..<4])), expected \(Self.hex(expectedMagic[...])) (idx, unsigned bytes, rank \(rank))")
        }
        let header = 4 + 4 * rank
        guard bytes.count >= header else { throw fail("is truncated in its header: \(bytes.count) bytes, the header needs \(header)") }
        var dimensions: [Int] = []
        var count = 1
        for axis in 0..<rank {
            let offset = 4 + 4 * axis
            let size = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard size >= 1 else { throw fail("has dimension \(axis) of size 0") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= bytes.count else {
                throw fail("declares dimensions \(dimensions + [size])… whose elements cannot fit in its \(bytes.count) bytes")
            }
            count = product
            dimensions.append(size)
        }
        guard bytes.count == header + count else {
            let problem = bytes.count < header + count ? "is truncated" : "has trailing bytes"
            throw fail("\(problem): dimensions \(dimensions) need \(header + count) bytes, found \(bytes.count)")
        }
        self.dimensions = dimensions
        elements = Array(bytes[header...])
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
    }
}
