// Tensor+Creation: constant tensors, ranges, identity, one-hot.

extension Tensor {
    /// A tensor of `shape` filled with `value`; internal callers pass valid shapes.
    static func filled(_ shape: [Int], with value: Float) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(repeating: value, count: count(of: shape)))
    }

    /// A tensor of a caller's `shape` filled with `value`, checked against the ``MemoryBudget``.
    static func filled(_ shape: [Int], with value: Float, operation: String) throws(TensorError) -> Tensor {
        try validate(shape: shape, operation: operation)
        let storage = try TensorStorage.allocate(
            repeating: value, count: MemoryBudget.scalarCount(of: shape), operation: operation, shapes: [shape])
        return Tensor(shape: shape, storage: storage)
    }

    /// A tensor of `shape` filled with `value`. - Shape: `shape`.
    ///
    /// - Throws: a memory error (``TensorError/isOutOfMemory``) when it does not fit the ``MemoryBudget``.
    public static func full(_ shape: [Int], value: Float) throws(TensorError) -> Tensor {
        try filled(shape, with: value, operation: "full")
    }

    /// A tensor of `shape` whose scalars `initializer` writes, in row-major order, into the buffer it is given
    /// (uninitialized: it must write every scalar). For kernels outside TensorCore that produce a result in place,
    /// without an intermediate array.
    public init(
        shape: [Int], initializingWith initializer: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) throws {
        try Self.validate(shape: shape, operation: "init(shape:initializingWith:)")
        let storage = try TensorStorage.allocate(
            count: MemoryBudget.scalarCount(of: shape), operation: "init(shape:initializingWith:)", shapes: [shape])
        try initializer(storage.buffer)
        self.init(shape: shape, storage: storage)
    }

    /// Zeros. - Shape: `shape`.
    public static func zeros(_ shape: [Int]) throws(TensorError) -> Tensor {
        try filled(shape, with: 0, operation: "zeros")
    }

    /// Ones. - Shape: `shape`.
    public static func ones(_ shape: [Int]) throws(TensorError) -> Tensor {
        try filled(shape, with: 1, operation: "ones")
    }

    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { filled(other.shape, with: 0) }

    /// Ones with the shape of `other`.
    public static func ones(like other: Tensor) -> Tensor { filled(other.shape, with: 1) }

    /// `start, start + step, …` below `end` (NumPy `arange`). - Shape: `[⌈(end − start) / step⌉]`.
    public static func arange(from start: Float = 0, to end: Float, step: Float = 1) throws(TensorError) -> Tensor {
        guard step != 0 && step.isFinite && start.isFinite && end.isFinite else {
            throw TensorError("arange", shapes: [], "needs finite bounds and a nonzero step")
        }
        // In Double, so that a span too long for Int is a memory error rather than a trap.
        let span = ((Double(end) - Double(start)) / Double(step)).rounded(.up)
        let count = span >= 9.2e18 ? nil : Swift.max(0, Int(span))
        try MemoryBudget.check(count: count, operation: "arange", shapes: [])
        return Tensor((0..<count!).map { start + Float($0) * step })
    }

    /// `count` evenly spaced values from `start` through `end` inclusive (NumPy `linspace`). - Shape: `[count]`.
    public static func linspace(from start: Float, through end: Float, count: Int) throws(TensorError) -> Tensor {
        guard count >= 0 else { throw TensorError("linspace", shapes: [], "count must not be negative") }
        try MemoryBudget.check(count: count, operation: "linspace", shapes: [])
        if count == 1 { return Tensor([start]) }
        let step = (Double(end) - Double(start)) / Double(Swift.max(count - 1, 1))
        return Tensor((0..<count).map { $0 == count - 1 ? end : Float(Double(start) + Double($0) * step) })
    }

    /// The `n × n` identity matrix. - Shape: `[n, n]`.
    public static func eye(_ n: Int) throws(TensorError) -> Tensor {
        let result = try filled([n, n], with: 0, operation: "eye")
        for index in 0..<n { result.storage.pointer[index * n + index] = 1 }
        return result
    }

    /// One-hot rows: `result[..., c] = 1` where `c == indices[...]`. Indices must lie in `0..<classes`.
    ///
    /// - Shape: `indices.shape + [classes]`.
    public static func oneHot(_ indices: IndexTensor, classes: Int) throws(TensorError) -> Tensor {
        try indices.validate(below: classes, operation: "oneHot", shapes: [indices.shape])
        let result = try filled(indices.shape + [classes], with: 0, operation: "oneHot")
        for (row, index) in indices.indices.enumerated() { result.storage.pointer[row * classes + index] = 1 }
        return result
    }
}
