import CZlib
import Core

/// Decompression of gzip data through the system's zlib, bounded so a hostile file (a
/// "zip bomb", a truncated or corrupt stream) ends in an `InputError` naming the file,
/// never in a crash, a hang or unbounded memory.
enum Gzip {
    /// The bytes `compressed` (a whole gzip file read from `source`) inflate to; throws
    /// when the stream is corrupt or truncated, when more than `maximumBytes` would come
    /// out, or when anything follows the first gzip member.
    static func decompress(_ compressed: [UInt8], source: String, maximumBytes: Int) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: the largest window, with gzip (not zlib) framing.
        guard optbench_inflateInit2(&stream, 15 + 16) == Z_OK else {
            throw InputError(source: source, field: nil, message: "zlib could not start inflating (out of memory?)")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status = Z_OK
        try compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while status != Z_STREAM_END {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                switch status {
                case Z_OK, Z_STREAM_END: break
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw InputError(source: source, field: nil, message: "is a truncated gzip file (the compressed stream ends early)")
                default:
                    let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw InputError(source: source, field: nil, message: "is not a valid gzip file: \(detail)")
                }
                guard output.count + produced <= maximumBytes else {
                    throw InputError(source: source, field: nil, message: "inflates to more than \(maximumBytes) bytes, more than any file this workload reads")
                }
                output.append(contentsOf: chunk[0..<produced])
            }
        }
        guard stream.avail_in == 0 else {
            throw InputError(source: source, field: nil, message: "has \(stream.avail_in) bytes after the end of its gzip stream")
        }
        return output
    }
}
