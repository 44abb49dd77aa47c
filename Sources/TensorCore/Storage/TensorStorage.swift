// TensorStorage: the 64-byte-aligned Float32 buffer behind a tensor, shared copy-on-write, counted against the
// memory budget.

/// A fixed-size, 64-byte-aligned buffer of `Float` scalars.
///
/// Tensors share a storage until one of them writes; `Tensor` checks `isKnownUniquelyReferenced` and copies first
/// (copy-on-write). The class is `@unchecked Sendable` because of that invariant: the scalars of a storage reachable
/// from more than one tensor are never written, so concurrent readers never see a write.
final class TensorStorage: @unchecked Sendable {
    /// The alignment of every buffer: one cache line, and the width of an AVX-512 register.
    static let alignment = 64

    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    private let sizeClass: Int

    /// Allocates `count` scalars without initializing them; every caller writes all of them before reading.
    ///
    /// The buffer comes from `BufferPool`, which recycles the buffers of freed tensors. This initializer does not
    /// check the ``MemoryBudget``: it is for results no larger than an operand that already fits (elementwise ops,
    /// reductions, gradients of those). A result that can outgrow its operands uses
    /// ``allocate(count:operation:shapes:)``.
    init(uninitializedCount count: Int) {
        guard let (raw, sizeClass) = BufferPool.shared.allocate(bytes: count * MemoryLayout<Float>.stride) else {
            fatalError("TensorStorage: the system could not allocate \(MemoryBudget.format(bytes: count * 4))")
        }
        self.count = count
        self.sizeClass = sizeClass
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        MemoryBudget.account(bytes: count * MemoryLayout<Float>.stride)
    }

    private init(count: Int, raw: UnsafeMutableRawPointer, sizeClass: Int) {
        self.count = count
        self.sizeClass = sizeClass
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        MemoryBudget.account(bytes: count * MemoryLayout<Float>.stride)
    }

    /// Allocates `count` scalars, uninitialized, after checking the ``MemoryBudget``: the checked path of every op
    /// whose result can be larger than its operands. `count == nil` means the scalar count overflowed.
    ///
    /// - Throws: a ``TensorError`` with a ``MemoryShortfall`` naming `operation` and `shapes`, when the request
    ///   exceeds the memory available or the system refuses it.
    static func allocate(count: Int?, operation: String, shapes: [[Int]]) throws(TensorError) -> TensorStorage {
        try MemoryBudget.check(count: count, operation: operation, shapes: shapes)
        let count = count!  // checked above
        let bytes = count * MemoryLayout<Float>.stride
        guard let (raw, sizeClass) = BufferPool.shared.allocate(bytes: bytes) else {
            let limit = MemoryBudget.limit
            throw TensorError(
                operation, shapes: shapes,
                "cannot allocate \(MemoryBudget.format(bytes: bytes)) (\(count) scalars): the system refused it",
                memoryShortfall: MemoryShortfall(requestedBytes: bytes, availableBytes: 0, limitBytes: limit))
        }
        return TensorStorage(count: count, raw: raw, sizeClass: sizeClass)
    }

    /// ``allocate(count:operation:shapes:)`` filled with `value`.
    static func allocate(
        repeating value: Float, count: Int?, operation: String, shapes: [[Int]]
    ) throws(TensorError) -> TensorStorage {
        let storage = try allocate(count: count, operation: operation, shapes: shapes)
        storage.pointer.initialize(repeating: value, count: storage.count)
        return storage
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    convenience init(_ scalars: [Float]) {
        self.init(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.initialize(from: base, count: scalars.count) }
        }
    }

    /// A new storage with the same scalars.
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.initialize(from: pointer, count: count)
        return result
    }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    deinit {
        MemoryBudget.account(bytes: -count * MemoryLayout<Float>.stride)
        BufferPool.shared.release(UnsafeMutableRawPointer(pointer), sizeClass: sizeClass)
    }
}
