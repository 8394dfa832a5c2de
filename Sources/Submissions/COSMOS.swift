import Core
import Foundation
import NN
import Tensor

/// COSMOS: SOAP-style preconditioning on the leading eigensubspace of the gradient
/// matrix, Muon-style orthogonalised updates on the rest; linear warmup and cosine decay.
///
/// Liu et al., "COSMOS: A Hybrid Adaptive Optimizer for Memory-Efficient Training of
/// LLMs" (2025), as the authors' `COSMOS_optim.py`. For every tensor of rank ≥ 2 seen as
/// G (m × n, `matrixShape`), rank r = min(`rank`, n):
/// `M ← β₁M + G` (b₁ = (1−β₁ᵗ)/(1−β₁)); basis P (n × r): at t = 1 the top-r eigenvectors
/// of GᵀG (LAPACK `ssyevd`) and `S = (1−β₂)(GP)ᵀ(GP)`; afterwards
/// `P ← QR(β₂PS + (1−β₂)Gᵀ(GP))` (LAPACK `sgeqrf`/`sorgqr`), `T = P_oldᵀP`,
/// `S ← β₂TᵀST + (1−β₂)(GP)ᵀ(GP)`; `V ← β₂V + (1−β₂)(GP)²` (m × r);
/// `Ĝ = (G + β₁M)/(1 + β₁b₁)`; subspace part `A = (ĜP ⊘ (√V/√(1−β₂ᵗ) + ε))Pᵀ`;
/// complement `B = NS₅(Ĝ − ĜPPᵀ)/(‖·‖ + ε)` (quintic Newton–Schulz, Muon's coefficients,
/// through `BLAS.gemm`); `D = A + 0.2·√(mn)·B`; `θ ← (1 − η_tλ)θ − η_t·ρ·√(mn)·D/(‖D‖ + ε)`
/// (ρ = `lr_ratio`). Other tensors: Adam with `m ← β₁m + 0.1g`, bias-corrected, as the
/// reference (whose 0.1 is 1 − 0.9 whatever β₁). The reference keeps matrices with more
/// than 10 000 rows (embeddings) on Adam; this file decides by rank alone. Defaults: the
/// reference's README (learning rate 1e-3, β = (0.9, 0.95), ρ = 0.1, rank 64, ε = 1e-8).
public struct COSMOS: Submission {
    public static let name = "cosmos"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.1]),
        "beta2": .feasiblePoints([0.95]),
        "lr_ratio": .range(min: 0.03, max: 1, scaling: .log),
        "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
        "rank": .feasiblePoints([64]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-3, "one_minus_beta1": 0.1, "beta2": 0.95, "lr_ratio": 0.1, "weight_decay": 0, "rank": 64,
        "warmup_fraction": 0.05,
    ])

    static let newtonSchulz: (a: Float, b: Float, c: Float) = (3.4445, -4.7750, 2.0315)

    /// One matrix's state offsets and sizes.
    struct Plan {
        let view: ParameterView
        let rows: Int, columns: Int, rank: Int
        /// Offsets of V (m × r), P (n × r) and S (r × r) in `secondMoment`, `basis`, `basisMoment`.
        let vOffset: Int, pOffset: Int, sOffset: Int
    }

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, ratio: Float
    let plans: [Plan?]
    let vectorOffsets: [Int]
    /// M for every tensor (full size); V, P, S of the matrices; v of the vectors.
    var momentum: [Float], secondMoment: [Float], basis: [Float], basisMoment: [Float], vectorSecond: [Float]
    var workspace = LAPACKWorkspace()
    /// Scratch (sized for the largest matrix).
    var projected: [Float], direction: [Float], complement: [Float], square: [Float], small: [Float], small2: [Float]
    var nsNext: [Float], nsGram: [Float], nsPoly: [Float], eigenvalues: [Float], oldBasis: [Float], newBasis: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        ratio = Float(try hyperparameters.positive("lr_ratio", default: 0.1))
        let requested = try hyperparameters.integer("rank", default: 64, in: 1...(1 << 20))
        var plans: [Plan?] = [], vectorOffsets: [Int] = []
        var v = 0, p = 0, s = 0, vectors = 0
        var largest = 0, largestSquare = 0, largestProjected = 0, largestSmall = 0, largestSide = 0, largestBasis = 0
        for view in info.layout.views {
            vectorOffsets.append(vectors)
            guard view.shape.count >= 2 else {
                plans.append(nil)
                vectors += view.count
                continue
            }
            let (m, n) = view.matrixShape
            let r = min(requested, n)
            plans.append(Plan(view: view, rows: m, columns: n, rank: r, vOffset: v, pOffset: p, sOffset: s))
            v += m * r
            p += n * r
            s += r * r
            largest = max(largest, m * n)
            largestSquare = max(largestSquare, n * n)
            largestProjected = max(largestProjected, m * r)
            largestSmall = max(largestSmall, r * r)
            largestSide = max(largestSide, min(m, n) * min(m, n), n)
            largestBasis = max(largestBasis, n * r)
        }
        self.plans = plans
        self.vectorOffsets = vectorOffsets
        momentum = [Float](repeating: 0, count: info.layout.count)
        secondMoment = [Float](repeating: 0, count: v)
        basis = [Float](repeating: 0, count: p)
        basisMoment = [Float](repeating: 0, count: s)
        vectorSecond = [Float](repeating: 0, count: vectors)
        projected = [Float](repeating: 0, count: largestProjected)
        direction = [Float](repeating: 0, count: largest)
        complement = direction
        nsNext = direction
        square = [Float](repeating: 0, count: largestSquare)
        small = [Float](repeating: 0, count: largestSmall)
        small2 = small
        nsGram = [Float](repeating: 0, count: largestSide)
        nsPoly = nsGram
        eigenvalues = [Float](repeating: 0, count: largestSquare > 0 ? Int(Double(largestSquare).squareRoot()) + 1 : 0)
        oldBasis = [Float](repeating: 0, count: largestBasis)
        newBasis = oldBasis
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        for (index, view) in parameters.views.enumerated() {
            if let plan = plans[index] {
                matrixStep(plan, &parameters, t: context.step + 1, rate: rate)
            } else {
                vectorStep(view, offset: vectorOffsets[index], &parameters, t: context.step + 1, rate: rate)
            }
        }
    }

    private mutating func matrixStep(_ plan: Plan, _ parameters: inout ParameterSet, t: Int, rate: Float) {
        let (m, n, r) = (plan.rows, plan.columns, plan.rank)
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let offset = plan.view.offset
        // M ← β₁M + G.
        momentum.withUnsafeMutableBufferPointer { mm in
            gradient.values.withUnsafeBufferPointer { g in
                for i in offset..<(offset + m * n) { mm[i] = b1 * mm[i] + g[i] }
            }
        }
        updateBasis(plan, first: t == 1)
        // V ← β₂V + (1−β₂)(GP)².
        gradient.values.withUnsafeBufferPointer { all in
            let gp = UnsafeBufferPointer(rebasing: all[plan.view.range])
            basis.withUnsafeBufferPointer { pb in
                projected.withUnsafeMutableBufferPointer { out in
                    BLAS.gemm(.none, .none, m: m, n: r, k: n, a: gp.baseAddress!, b: pb.baseAddress! + plan.pOffset, c: out.baseAddress!)
                }
            }
        }
        secondMoment.withUnsafeMutableBufferPointer { vv in
            projected.withUnsafeBufferPointer { x in
                for k in 0..<(m * r) { vv[plan.vOffset + k] = b2 * vv[plan.vOffset + k] + (1 - b2) * x[k] * x[k] }
            }
        }
        // Ĝ = (G + β₁M)/(1 + β₁b₁) into `complement`.
        let b1Correction = Float((1 - pow(Double(b1), Double(t))) / (1 - Double(b1)))
        let mix = 1 / (1 + b1 * b1Correction)
        complement.withUnsafeMutableBufferPointer { c in
            momentum.withUnsafeBufferPointer { mm in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<(m * n) { c[i] = (g[offset + i] + b1 * mm[offset + i]) * mix }
                }
            }
        }
        // ĜP (m × r) into `projected`; A = (ĜP ⊘ (√V/√b₂ + ε))Pᵀ into `direction`;
        // complement ← Ĝ − (ĜP)Pᵀ.
        let root2 = Float((1 - pow(Double(b2), Double(t))).squareRoot())
        complement.withUnsafeMutableBufferPointer { c in
            basis.withUnsafeBufferPointer { pb in
                projected.withUnsafeMutableBufferPointer { x in
                    let p = pb.baseAddress! + plan.pOffset
                    BLAS.gemm(.none, .none, m: m, n: r, k: n, a: c.baseAddress!, b: p, c: x.baseAddress!)
                    BLAS.gemm(.none, .transposed, m: m, n: n, k: r, alpha: -1, a: x.baseAddress!, b: p, beta: 1, c: c.baseAddress!)
                    secondMoment.withUnsafeBufferPointer { vv in
                        for k in 0..<(m * r) { x[k] /= vv[plan.vOffset + k].squareRoot() / root2 + eps }
                    }
                    direction.withUnsafeMutableBufferPointer { d in
                        BLAS.gemm(.none, .transposed, m: m, n: n, k: r, a: x.baseAddress!, b: p, c: d.baseAddress!)
                    }
                }
            }
        }
        // B = NS₅(complement)/‖·‖; D = A + 0.2√(mn)·B.
        orthogonalise(rows: m, columns: n)
        let scale = Float(Double(m * n).squareRoot())
        var bNorm = 0.0
        complement.withUnsafeBufferPointer { c in for i in 0..<(m * n) { bNorm += Double(c[i]) * Double(c[i]) } }
        let bScale = 0.2 * scale / (Float(bNorm.squareRoot()) + eps)
        var dNorm = 0.0
        direction.withUnsafeMutableBufferPointer { d in
            complement.withUnsafeBufferPointer { c in
                for i in 0..<(m * n) {
                    d[i] += bScale * c[i]
                    dNorm += Double(d[i]) * Double(d[i])
                }
            }
        }
        let stepSize = rate * ratio * scale / (Float(dNorm.squareRoot()) + eps)
        let decay = 1 - rate * weightDecay
        parameters.values.withUnsafeMutableBufferPointer { theta in
            direction.withUnsafeBufferPointer { d in
                for i in 0..<(m * n) { theta[offset + i] = decay * theta[offset + i] - stepSize * d[i] }
            }
        }
    }

    /// The subspace basis P and its r × r moment S, from this step's G (m × n, row-major).
    private mutating func updateBasis(_ plan: Plan, first: Bool) {
        let (m, n, r) = (plan.rows, plan.columns, plan.rank)
        let b2 = beta2
        gradient.values.withUnsafeBufferPointer { all in
            let gp = all.baseAddress! + plan.view.offset
            if first {
                // Top-r eigenvectors of GᵀG (ascending from LAPACK: take the last r, largest first).
                square.withUnsafeMutableBufferPointer { w in
                    BLAS.gemm(.transposed, .none, m: n, n: n, k: m, a: gp, b: gp, c: w.baseAddress!)
                    eigenvalues.withUnsafeMutableBufferPointer { e in
                        workspace.symmetricEigendecomposition(w.baseAddress!, order: n, eigenvalues: e.baseAddress!)
                    }
                    basis.withUnsafeMutableBufferPointer { pb in
                        for i in 0..<n { for j in 0..<r { pb[plan.pOffset + i * r + j] = w[i * n + (n - 1 - j)] } }
                    }
                }
            } else {
                // P' = β₂PS + (1−β₂)Gᵀ(GP), orthonormalised; T = P_oldᵀP.
                basis.withUnsafeBufferPointer { pb in
                    oldBasis.withUnsafeMutableBufferPointer { old in
                        for k in 0..<(n * r) { old[k] = pb[plan.pOffset + k] }
                    }
                }
                projected.withUnsafeMutableBufferPointer { x in
                    oldBasis.withUnsafeBufferPointer { old in
                        newBasis.withUnsafeMutableBufferPointer { nb in
                            basisMoment.withUnsafeBufferPointer { sb in
                                BLAS.gemm(.none, .none, m: m, n: r, k: n, a: gp, b: old.baseAddress!, c: x.baseAddress!)
                                BLAS.gemm(.none, .none, m: n, n: r, k: r, alpha: b2, a: old.baseAddress!, b: sb.baseAddress! + plan.sOffset, c: nb.baseAddress!)
                                BLAS.gemm(.transposed, .none, m: n, n: r, k: m, alpha: 1 - b2, a: gp, b: x.baseAddress!, beta: 1, c: nb.baseAddress!)
                            }
                            workspace.orthonormalizeColumns(nb.baseAddress!, rows: n, columns: r)
                        }
                    }
                }
                newBasis.withUnsafeBufferPointer { nb in
                    basis.withUnsafeMutableBufferPointer { pb in for k in 0..<(n * r) { pb[plan.pOffset + k] = nb[k] } }
                    oldBasis.withUnsafeBufferPointer { old in
                        small.withUnsafeMutableBufferPointer { tt in
                            // T = P_oldᵀ P (r × r); S ← β₂ TᵀST (accumulated below with the new term).
                            BLAS.gemm(.transposed, .none, m: r, n: r, k: n, a: old.baseAddress!, b: nb.baseAddress!, c: tt.baseAddress!)
                            small2.withUnsafeMutableBufferPointer { st in
                                basisMoment.withUnsafeMutableBufferPointer { sb in
                                    let s = sb.baseAddress! + plan.sOffset
                                    BLAS.gemm(.none, .none, m: r, n: r, k: r, a: s, b: tt.baseAddress!, c: st.baseAddress!)
                                    BLAS.gemm(.transposed, .none, m: r, n: r, k: r, alpha: b2, a: tt.baseAddress!, b: st.baseAddress!, c: s)
                                }
                            }
                        }
                    }
                }
            }
            // S (+)= (1−β₂)(GP)ᵀ(GP) with the current P.
            basis.withUnsafeBufferPointer { pb in
                projected.withUnsafeMutableBufferPointer { x in
                    BLAS.gemm(.none, .none, m: m, n: r, k: n, a: gp, b: pb.baseAddress! + plan.pOffset, c: x.baseAddress!)
                    basisMoment.withUnsafeMutableBufferPointer { sb in
                        BLAS.gemm(.transposed, .none, m: r, n: r, k: m, alpha: 1 - b2, a: x.baseAddress!, b: x.baseAddress!,
                                  beta: first ? 0 : 1, c: sb.baseAddress! + plan.sOffset)
                    }
                }
            }
        }
    }

    /// Five quintic Newton–Schulz iterations on `complement` (m × n), after scaling it to
    /// unit Frobenius norm, as Muon; the result replaces `complement`.
    private mutating func orthogonalise(rows m: Int, columns n: Int) {
        let (a, b, c) = Self.newtonSchulz
        var squared = 0.0
        complement.withUnsafeMutableBufferPointer { x in
            for i in 0..<(m * n) { squared += Double(x[i]) * Double(x[i]) }
            let inverse = 1 / (Float(squared.squareRoot()) + 1e-7)
            for i in 0..<(m * n) { x[i] *= inverse }
        }
        let wide = m <= n, side = min(m, n)
        for _ in 0..<5 {
            complement.withUnsafeMutableBufferPointer { xb in
                nsNext.withUnsafeMutableBufferPointer { yb in
                    nsGram.withUnsafeMutableBufferPointer { gb in
                        nsPoly.withUnsafeMutableBufferPointer { pb in
                            let x = xb.baseAddress!, y = yb.baseAddress!, gram = gb.baseAddress!, poly = pb.baseAddress!
                            if wide {
                                BLAS.gemm(.none, .transposed, m: m, n: m, k: n, a: x, b: x, c: gram)
                            } else {
                                BLAS.gemm(.transposed, .none, m: n, n: n, k: m, a: x, b: x, c: gram)
                            }
                            BLAS.gemm(.none, .none, m: side, n: side, k: side, alpha: c, a: gram, b: gram, c: poly)
                            for i in 0..<(side * side) { poly[i] += b * gram[i] }
                            for i in 0..<(m * n) { y[i] = x[i] }
                            if wide {
                                BLAS.gemm(.none, .none, m: m, n: n, k: m, a: poly, b: x, beta: a, c: y)
                            } else {
                                BLAS.gemm(.none, .none, m: m, n: n, k: n, a: x, b: poly, beta: a, c: y)
                            }
                        }
                    }
                }
            }
            swap(&complement, &nsNext)
        }
    }

    private mutating func vectorStep(_ view: ParameterView, offset: Int, _ parameters: inout ParameterSet, t: Int, rate: Float) {
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let c1 = Float(1 - pow(0.9, Double(t))), root2 = Float((1 - pow(Double(b2), Double(t))).squareRoot())
        let decay = 1 - rate * weightDecay
        parameters.values.withUnsafeMutableBufferPointer { theta in
            momentum.withUnsafeMutableBufferPointer { mm in
                vectorSecond.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in view.range {
                            let j = offset + i - view.offset
                            let gi = g[i]
                            mm[i] = b1 * mm[i] + 0.1 * gi
                            v[j] = b2 * v[j] + (1 - b2) * gi * gi
                            theta[i] = decay * theta[i] - (rate / c1) * mm[i] / (v[j].squareRoot() / root2 + eps)
                        }
                    }
                }
            }
        }
    }

    /// M (every tensor), V, P and S of the matrices, v of the vectors.
    public var stateBytes: Int {
        (momentum.count + secondMoment.count + basis.count + basisMoment.count + vectorSecond.count) * MemoryLayout<Float>.size
    }
}
