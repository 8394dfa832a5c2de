import Core
import Testing
@testable import Submissions

@Suite struct ProjectionRefreshTests {
    @Test func refreshesEveryGapStepsFromStepZero() throws {
        let refresh = try ProjectionRefresh(hyperparameters: Hyperparameters(["update_proj_gap": 3]))
        #expect((0..<8).filter { refresh.isDue(atStep: $0) } == [0, 3, 6])
        #expect((0..<8).map { refresh.period(atStep: $0) } == [0, 0, 0, 1, 1, 1, 2, 2])
        #expect((0..<8).map { refresh.stepsSinceRefresh(atStep: $0) } == [1, 2, 3, 1, 2, 3, 1, 2])
    }

    @Test func readsItsNameAndDefault() throws {
        #expect(try ProjectionRefresh(hyperparameters: Hyperparameters()).gap == 200)
        #expect(try ProjectionRefresh(hyperparameters: Hyperparameters(["update_gap": 7]), name: "update_gap").gap == 7)
        #expect(throws: HyperparameterError.self) {
            try ProjectionRefresh(hyperparameters: Hyperparameters(["update_proj_gap": 0]))
        }
    }
}

@Suite struct ProjectorRefresherTests {
    /// A rank-1 matrix u·vᵀ (3 × 5, so the basis is on the left): the refreshed basis is
    /// ±u/‖u‖, and projecting back the projection reproduces the matrix.
    @Test func aRankOneMatrixGivesItsLeftFactor() {
        let u: [Float] = [1, 2, 2], v: [Float] = [1, -1, 0, 2, 1]
        var g = [Float](repeating: 0, count: 15)
        for i in 0..<3 { for j in 0..<5 { g[i * 5 + j] = u[i] * v[j] } }
        var projector = LowRankProjector(rows: 3, columns: 5, rank: 1)
        var refresher = ProjectorRefresher()
        refresher.reserve(rows: 3, columns: 5)
        g.withUnsafeBufferPointer { refresher.refresh(&projector, from: $0.baseAddress!) }
        let sign: Float = projector.basis[0] > 0 ? 1 : -1
        for i in 0..<3 { #expect(abs(projector.basis[i] - sign * u[i] / 3) < 1e-5) }
        var projected = [Float](repeating: 0, count: projector.projectedCount)
        var back = [Float](repeating: 0, count: 15)
        g.withUnsafeBufferPointer { gp in projected.withUnsafeMutableBufferPointer { projector.project(gp.baseAddress!, into: $0.baseAddress!) } }
        projected.withUnsafeBufferPointer { r in back.withUnsafeMutableBufferPointer { projector.projectBack(r.baseAddress!, into: $0.baseAddress!) } }
        for k in 0..<15 { #expect(abs(back[k] - g[k]) < 1e-4) }
    }
}
