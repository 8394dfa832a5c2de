import CBLAS
import CDNNL
import Foundation

/// oneDNN, the convolution library PyTorch's CPU path is built on (Debian's `libdnnl-dev`):
/// the CPU engine and stream every primitive runs on, its thread count, and what to record
/// about it in provenance.
///
/// oneDNN picks its kernels at run time from the CPU's instruction set (AVX2, AVX-512, …),
/// so one binary runs everywhere and uses the widest vectors present. Its thread count is
/// the OpenMP one; `execute` sets it to OpenBLAS's before every primitive, so the BLAS
/// thread setting is the one knob (and oneDNN never spawns threads a trial was not given).
/// With the same thread count and instruction set the primitives are deterministic: the
/// same inputs give the same bits. Another instruction set blocks the data differently and
/// sums in another order, so results across ISAs differ in the last bits; `isa` names the
/// one in use.
public enum OneDNN {
    /// The engine and stream shared by every primitive of this process (created once,
    /// never mutated: primitives and memories reference them).
    final class Context: @unchecked Sendable {
        let engine: dnnl_engine_t
        let stream: dnnl_stream_t

        init() {
            var engine: dnnl_engine_t?
            OneDNN.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating the CPU engine")
            var stream: dnnl_stream_t?
            OneDNN.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "creating a stream")
            self.engine = engine!
            self.stream = stream!
        }
    }

    /// The process's engine and stream.
    static let context = Context()

    /// Stops with oneDNN's status and what was being done unless `status` is success. oneDNN
    /// fails only on programming errors (shapes this module built) or exhausted memory.
    static func check(_ status: dnnl_status_t, _ what: String) {
        precondition(status == dnnl_success, "oneDNN: \(what) failed with status \(status.rawValue)")
    }

    /// Runs `primitive` with `arguments` on the shared stream with OpenBLAS's thread count,
    /// and waits for it.
    static func execute(_ primitive: dnnl_primitive_t, _ arguments: [dnnl_exec_arg_t], _ what: String) {
        omp_set_num_threads(openblas_get_num_threads())
        arguments.withUnsafeBufferPointer { args in
            check(dnnl_primitive_execute(primitive, context.stream, Int32(args.count), args.baseAddress), what)
        }
        check(dnnl_stream_wait(context.stream), what)
    }

    /// The `OMP_WAIT_POLICY` to re-execute with (`PASSIVE`), or nil: when the user set one,
    /// or when OpenBLAS itself runs on OpenMP (`blasConfiguration` names `USE_OPENMP`).
    ///
    /// oneDNN's primitives run on OpenMP's threads, which by default spin for a while after
    /// each parallel region. Beside the pthread build of OpenBLAS, that spinning competed
    /// with OpenBLAS's own threads for the two cores: at two threads 5 of 16 processes ran
    /// the transformer or tsp step 3–8× slower (41–135 ms against 14–25 ms), and passive
    /// waiting removed those outliers at a cost of about 15 % on the cnn's two-thread step
    /// (its many convolutions then wake sleeping threads). With OpenBLAS's OpenMP build (what
    /// the package links ahead of the pthread one) both libraries share one pool, and
    /// spinning wins: eight interleaved rounds at two threads on an AMD EPYC (Zen 5) VM, min
    /// ms, pthread build + passive against OpenMP build + spinning: cnn step 38.7 → 34.4,
    /// transformer step 5.13 → 5.01 and forward 1.96 → 1.70, tsp step 4.30 → 4.55, with
    /// the same outliers in both (VM noise); with `ParallelRanges` moved onto the same pool
    /// too (off GCD), 33.9, 4.33 and 3.66 ms. The policy is read when libgomp loads, so
    /// `optbench` sets it by re-executing itself (see its entry point); one-thread trials
    /// (`--jobs 2` runs) never start an OpenMP worker either way.
    public static func recommendedWaitPolicy(
        environment: [String: String] = ProcessInfo.processInfo.environment, blasConfiguration: String = BLAS.configuration
    ) -> String? {
        guard environment["OMP_WAIT_POLICY"] == nil else { return nil }
        return BLAS.usesOpenMP(configuration: blasConfiguration) ? nil : "PASSIVE"
    }

    /// The library's version, `major.minor.patch`.
    public static var version: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// The widest instruction set oneDNN's kernels use on this machine (`avx512_core`,
    /// `avx2`, …), as oneDNN names it.
    public static var isa: String {
        let value = dnnl_get_effective_cpu_isa()
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
            (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"), (dnnl_cpu_isa_avx512_core, "avx512_core"),
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_sse41, "sse41"),
        ]
        return names.first { $0.0 == value }?.1 ?? "isa 0x\(String(value.rawValue, radix: 16))"
    }
}
