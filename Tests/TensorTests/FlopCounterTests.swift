import Testing

import Tensor

/// `BLAS.countingFlops` sees exactly the products run inside its scope.
@Suite struct FlopCounterTests {
    private func product(m: Int, n: Int, k: Int) {
        let a = [Float](repeating: 1, count: m * k), b = [Float](repeating: 1, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        c.withUnsafeMutableBufferPointer { cb in
            BLAS.gemm(.none, .none, m: m, n: n, k: k, a: a, b: b, c: cb.baseAddress!)
        }
    }

    @Test func countsTwoOperationsPerMultiplyAdd() {
        let (_, flops) = BLAS.countingFlops {
            product(m: 3, n: 5, k: 7)
            product(m: 2, n: 4, k: 1)
        }
        #expect(flops == 2 * 3 * 5 * 7 + 2 * 2 * 4 * 1)
    }

    @Test func productsOutsideTheScopeAndEmptyProductsAreNotCounted() {
        product(m: 8, n: 8, k: 8)
        let (value, flops) = BLAS.countingFlops { () -> Int in
            product(m: 0, n: 4, k: 4)
            return 42
        }
        #expect(value == 42)
        #expect(flops == 0)
    }

    @Test func anInnerScopeCountsItsOwnProductsOnly() {
        var inner = 0
        let (_, outer) = BLAS.countingFlops {
            product(m: 2, n: 2, k: 2)
            inner = BLAS.countingFlops { product(m: 4, n: 4, k: 4) }.flops
        }
        #expect(inner == 128)
        #expect(outer == 16)
    }

    /// Both algorithms, at stride 1 (direct input gradient) and stride 2 (folded product).
    @Test(arguments: [ConvolutionAlgorithm.unfolding, .oneDNN], [1, 2])
    func convolutionBackwardCostsTwiceItsForward(_ algorithm: ConvolutionAlgorithm, _ stride: Int) {
        let g = Conv2dGeometry(
            inputShape: [2, 3, 6, 6], outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: stride, padding: 1)
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal(shape: g.inputShape, using: &rng)
        let w = Tensor.randomNormal(shape: g.weightShape, using: &rng)
        let dy = Tensor.randomNormal(shape: g.outputShape, using: &rng)
        var dw = [Float](repeating: 0, count: g.weightCount)
        let forward = w.withUnsafeBufferPointer { wb in
            BLAS.countingFlops {
                _ = Tensor.conv2dForward(input: x, weight: wb, bias: nil, geometry: g, algorithm: algorithm)
            }.flops
        }
        let backward = w.withUnsafeBufferPointer { wb in
            dw.withUnsafeMutableBufferPointer { dwb in
                BLAS.countingFlops {
                    _ = Tensor.conv2dBackward(
                        outputGradient: dy, input: x, weight: wb, geometry: g, weightGradient: dwb, algorithm: algorithm)
                }.flops
            }
        }
        #expect(forward == g.forwardFlops)
        #expect(backward == 2 * g.forwardFlops)
    }
}
