import NN

/// Small vector helpers over flat parameter buffers (Double accumulation for dots).
enum VectorMath {
    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "VectorMath.dot: lengths \(a.count) and \(b.count) differ")
        var total = 0.0
        for i in a.indices { total += Double(a[i]) * Double(b[i]) }
        return total
    }

    static func norm(_ a: [Float]) -> Double { dot(a, a).squareRoot() }

    /// `y += alpha · x`.
    static func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float]) {
        precondition(x.count == y.count, "VectorMath.axpy: lengths \(x.count) and \(y.count) differ")
        for i in y.indices { y[i] += alpha * x[i] }
    }
}

/// Conjugate gradients for `A q = b` with `A` symmetric positive definite, given as a
/// matrix-vector product. Stops after `maxIterations` products, when `‖r‖ ≤ tolerance·‖b‖`,
/// or when a direction has non-positive curvature (then the current iterate is returned).
enum ConjugateGradient {
    static func solve(
        _ multiply: ([Float]) -> [Float], rightHandSide b: [Float], start: [Float], maxIterations: Int, tolerance: Double
    ) -> (solution: [Float], products: Int) {
        var q = start
        var products = 0
        var r = b
        if VectorMath.norm(start) > 0 {
            let aq = multiply(start)
            products += 1
            VectorMath.axpy(-1, aq, &r)
        }
        let threshold = tolerance * VectorMath.norm(b)
        var rs = VectorMath.dot(r, r)
        var p = r
        while products < maxIterations, rs.squareRoot() > threshold {
            let ap = multiply(p)
            products += 1
            let curvature = VectorMath.dot(p, ap)
            guard curvature > 0 else { break }
            let alpha = rs / curvature
            VectorMath.axpy(Float(alpha), p, &q)
            VectorMath.axpy(Float(-alpha), ap, &r)
            let next = VectorMath.dot(r, r)
            let beta = Float(next / rs)
            rs = next
            for i in p.indices { p[i] = r[i] + beta * p[i] }
        }
        return (q, products)
    }
}
