import Testing
@testable import Tensor

@Suite struct OneDNNTests {
    /// Passive waiting only where OpenBLAS keeps its own pthreads beside OpenMP's, and never
    /// over the user's choice.
    @Test func waitPolicyIsPassiveOnlyBesideThePthreadBuildOfOpenBLAS() {
        let pthread = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"
        let openMP = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY USE_OPENMP Haswell MAX_THREADS=64"
        #expect(OneDNN.recommendedWaitPolicy(environment: [:], blasConfiguration: pthread) == "PASSIVE")
        #expect(OneDNN.recommendedWaitPolicy(environment: [:], blasConfiguration: openMP) == nil)
        #expect(OneDNN.recommendedWaitPolicy(environment: ["OMP_WAIT_POLICY": "ACTIVE"], blasConfiguration: pthread) == nil)
    }

    /// The package links the OpenMP build of OpenBLAS ahead of the pthread one (its run
    /// path; `make deps` installs it), so this process runs on it.
    @Test func theOpenMPBuildOfOpenBLASIsTheOneLoaded() {
        #expect(BLAS.usesOpenMP(), "loaded: \(BLAS.configuration)")
    }
}
