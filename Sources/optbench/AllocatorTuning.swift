import CSystem

/// glibc's allocator settings for a process that trains: keep freed tensor buffers for the
/// next step instead of handing them back to the kernel.
///
/// A training step allocates its activations and gradients afresh (the cnn's are 4 MB
/// each) and frees them by the end of the step. With glibc's defaults, such blocks are
/// mapped and unmapped, or the heap's top is trimmed and regrown, so every step touches
/// fresh pages: 228,000 page faults in a 3-second `optbench perf` of the cnn at one thread
/// against 40,000 with these settings, and the step 3–10 % faster at one thread and about 5 %
/// at two (interleaved with the defaults, family-26 AMD EPYC VM).
/// The price is that the process keeps its peak heap until it exits.
enum AllocatorTuning {
    /// Blocks up to this size come from the heap (glibc's maximum, 32 MiB on 64-bit).
    static let mmapThreshold: Int32 = 32 << 20
    /// Free memory at the heap's top is returned to the kernel only beyond this.
    static let trimThreshold: Int32 = 1 << 30

    /// Applies both settings to this process; returns whether glibc accepted them.
    @discardableResult
    static func keepFreedBuffersForReuse() -> Bool {
        mallopt(M_MMAP_THRESHOLD, mmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1
    }
}
