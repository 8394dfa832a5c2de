/// One pass over memory for an element-wise update: θ, the method's state buffers and the
/// gradient are walked together and a per-element rule (a closure the compiler inlines)
/// reads and writes each element once.
///
/// This is the loop every element-wise submission used to spell out as four or five
/// nested `withUnsafe…BufferPointer` calls; written once here, a method states only its
/// rule. The closure takes its elements `inout`, so it reads as the paper's equations:
/// `m = decay.first(m, g); θ -= η·m`. Release builds inline the closure into the loop
/// (`@inline(__always)`), so the composed update is the same machine code as the
/// hand-written loop it replaces (`optbench perf`'s update table, before and after).
/// All buffers must have θ's count (checked).
enum FusedUpdate {
    /// θ with one state buffer (momentum methods).
    @inline(__always)
    static func apply(
        _ theta: inout [Float], _ state: inout [Float], gradient: [Float],
        _ rule: (_ theta: inout Float, _ state: inout Float, _ g: Float) -> Void
    ) {
        precondition(state.count == theta.count && gradient.count == theta.count, "FusedUpdate: buffer lengths differ")
        theta.withUnsafeMutableBufferPointer { t in
            state.withUnsafeMutableBufferPointer { s in
                gradient.withUnsafeBufferPointer { g in
                    for i in 0..<t.count { rule(&t[i], &s[i], g[i]) }
                }
            }
        }
    }

    /// θ with two state buffers (the Adam family).
    @inline(__always)
    static func apply(
        _ theta: inout [Float], _ first: inout [Float], _ second: inout [Float], gradient: [Float],
        _ rule: (_ theta: inout Float, _ first: inout Float, _ second: inout Float, _ g: Float) -> Void
    ) {
        precondition(first.count == theta.count, "FusedUpdate: buffer lengths differ")
        apply(&theta, &first, &second, gradient: gradient, range: 0..<theta.count, stateOffset: 0, rule)
    }

    /// θ[range] and g[range] with two state buffers whose elements for the range start at
    /// `stateOffset`: one tensor of a flat parameter vector whose state lives in a
    /// smaller buffer (the vector tensors a matrix method leaves to Adam, `VectorMoments`).
    @inline(__always)
    static func apply(
        _ theta: inout [Float], _ first: inout [Float], _ second: inout [Float], gradient: [Float],
        range: Range<Int>, stateOffset: Int,
        _ rule: (_ theta: inout Float, _ first: inout Float, _ second: inout Float, _ g: Float) -> Void
    ) {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= theta.count && gradient.count == theta.count
                && stateOffset >= 0 && stateOffset + range.count <= min(first.count, second.count),
            "FusedUpdate: range or state offset outside the buffers")
        let shift = stateOffset - range.lowerBound
        theta.withUnsafeMutableBufferPointer { t in
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    gradient.withUnsafeBufferPointer { g in
                        for i in range { rule(&t[i], &m[i + shift], &v[i + shift], g[i]) }
                    }
                }
            }
        }
    }

    /// θ with three state buffers (AMSGrad's running maximum beside m and v).
    @inline(__always)
    static func apply(
        _ theta: inout [Float], _ first: inout [Float], _ second: inout [Float], _ third: inout [Float],
        gradient: [Float],
        _ rule: (_ theta: inout Float, _ first: inout Float, _ second: inout Float, _ third: inout Float, _ g: Float) -> Void
    ) {
        precondition(
            first.count == theta.count && second.count == theta.count && third.count == theta.count
                && gradient.count == theta.count,
            "FusedUpdate: buffer lengths differ")
        theta.withUnsafeMutableBufferPointer { t in
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    third.withUnsafeMutableBufferPointer { w in
                        gradient.withUnsafeBufferPointer { g in
                            for i in 0..<t.count { rule(&t[i], &m[i], &v[i], &w[i], g[i]) }
                        }
                    }
                }
            }
        }
    }

    /// The same four buffers as base pointers, for a kernel that walks them in SIMD
    /// lanes itself (`AdamWKernel`). Empty buffers call nothing.
    @inline(__always)
    static func withPointers(
        _ theta: inout [Float], _ first: inout [Float], _ second: inout [Float], gradient: [Float],
        _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void
    ) {
        precondition(
            first.count == theta.count && second.count == theta.count && gradient.count == theta.count,
            "FusedUpdate: buffer lengths differ")
        theta.withUnsafeMutableBufferPointer { t in
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    gradient.withUnsafeBufferPointer { g in
                        guard let tp = t.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress, let gp = g.baseAddress else {
                            return
                        }
                        body(tp, mp, vp, gp, t.count)
                    }
                }
            }
        }
    }
}
