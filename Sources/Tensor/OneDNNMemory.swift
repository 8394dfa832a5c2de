import CDNNL

/// One oneDNN memory object: a descriptor (shape and layout) and either a buffer oneDNN
/// allocated and owns, or a handle the caller binds to its own storage before each use.
final class OneDNNMemory {
    let descriptor: dnnl_memory_desc_t
    let memory: dnnl_memory_t

    /// A memory of `descriptor`; with `allocating`, oneDNN allocates its buffer, otherwise
    /// it has none until `bind`.
    init(_ descriptor: dnnl_memory_desc_t, allocating: Bool) {
        self.descriptor = descriptor
        var memory: dnnl_memory_t?
        var d = descriptor
        // DNNL_MEMORY_ALLOCATE is ((void *)(size_t)-1) and DNNL_MEMORY_NONE is NULL.
        let handle = allocating ? UnsafeMutableRawPointer(bitPattern: UInt.max) : nil
        OneDNN.check(dnnl_memory_create(&memory, &d, OneDNN.context.engine, handle), "creating a memory")
        self.memory = memory!
    }

    deinit { dnnl_memory_destroy(memory) }

    /// A plain (row-major) float32 descriptor of `shape` in `tag`'s dimension order.
    static func descriptor(_ shape: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var d = dnnl_memory_desc_t()
        OneDNN.check(
            dnnl_memory_desc_init_by_tag(&d, Int32(shape.count), shape.map(Int64.init), dnnl_f32, tag),
            "describing a tensor of shape \(shape)")
        return d
    }

    /// Points the memory at `pointer` (a caller's buffer of the descriptor's size).
    func bind(_ pointer: UnsafeRawPointer) {
        OneDNN.check(dnnl_memory_set_data_handle(memory, UnsafeMutableRawPointer(mutating: pointer)), "binding a buffer")
    }

    /// This memory as the primitive argument `index` (`DNNL_ARG_SRC`, …).
    func argument(_ index: Int32) -> dnnl_exec_arg_t {
        dnnl_exec_arg_t(arg: index, memory: memory)
    }

    /// Whether `other` describes the same shape in the same layout.
    func hasLayout(of other: dnnl_memory_desc_t) -> Bool {
        var a = descriptor, b = other
        return dnnl_memory_desc_equal(&a, &b) != 0
    }
}

/// A oneDNN reorder: copies a tensor from one layout into another (or, `accumulating`,
/// adds it to what the destination holds).
final class OneDNNReorder {
    private let primitive: dnnl_primitive_t

    init(from source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t, accumulating: Bool = false) {
        var attributes: dnnl_primitive_attr_t?
        OneDNN.check(dnnl_primitive_attr_create(&attributes), "creating reorder attributes")
        defer { dnnl_primitive_attr_destroy(attributes) }
        if accumulating {
            var postOps: dnnl_post_ops_t?
            OneDNN.check(dnnl_post_ops_create(&postOps), "creating post-ops")
            defer { dnnl_post_ops_destroy(postOps) }
            OneDNN.check(dnnl_post_ops_append_sum(postOps, 1), "appending a sum")
            OneDNN.check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "setting post-ops")
        }
        var s = source, d = destination
        let engine = OneDNN.context.engine
        var descriptor: dnnl_primitive_desc_t?
        OneDNN.check(
            dnnl_reorder_primitive_desc_create(&descriptor, &s, engine, &d, engine, attributes), "describing a reorder")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var primitive: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&primitive, descriptor), "creating a reorder")
        self.primitive = primitive!
    }

    deinit { dnnl_primitive_destroy(primitive) }

    func run(from source: OneDNNMemory, to destination: OneDNNMemory) {
        OneDNN.execute(
            primitive, [
                dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: source.memory),
                dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: destination.memory),
            ], "reordering")
    }
}

/// A tensor the caller holds in a plain layout and a primitive wants in its own: the
/// primitive's memory is the caller's buffer itself where the layouts agree, otherwise a
/// buffer of its own filled (`stage`) or emptied (`unstage`) by a reorder.
final class OneDNNOperand {
    private let plain: OneDNNMemory
    /// What the primitive reads or writes: `plain` itself, or a buffer in its layout.
    let staged: OneDNNMemory
    private let toStaged: OneDNNReorder?
    private let toPlain: OneDNNReorder?

    /// An operand whose caller's layout is `plain` and whose primitive's is `staged`;
    /// `accumulating` makes `unstage` add to the caller's buffer instead of overwriting it
    /// (which needs a staging buffer even where the layouts agree).
    init(plain: dnnl_memory_desc_t, staged: dnnl_memory_desc_t, accumulating: Bool = false) {
        self.plain = OneDNNMemory(plain, allocating: false)
        if self.plain.hasLayout(of: staged) && !accumulating {
            self.staged = self.plain
            (toStaged, toPlain) = (nil, nil)
        } else {
            self.staged = OneDNNMemory(staged, allocating: true)
            toStaged = OneDNNReorder(from: plain, to: staged)
            toPlain = OneDNNReorder(from: staged, to: plain, accumulating: accumulating)
        }
    }

    /// Whether the primitive's layout differs from the caller's, so that a reorder copies.
    var isReordered: Bool { toStaged != nil }

    /// Makes the primitive's memory hold the tensor at `pointer`.
    func stage(from pointer: UnsafeRawPointer) {
        plain.bind(pointer)
        toStaged?.run(from: plain, to: staged)
    }

    /// Points the primitive's memory at `pointer` when it is the caller's buffer itself,
    /// before a primitive writes it; `unstage` then copies (or adds) the result there.
    func prepareOutput(at pointer: UnsafeMutableRawPointer) {
        plain.bind(pointer)
    }

    /// Writes (or adds) what the primitive left in its memory to the buffer given to
    /// `prepareOutput`.
    func unstage() {
        toPlain?.run(from: staged, to: plain)
    }
}
