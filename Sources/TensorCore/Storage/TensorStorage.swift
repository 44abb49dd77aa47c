// TensorStorage: the 64-byte-aligned Float32 buffer behind a tensor, shared copy-on-write.

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
    /// The buffer comes from `BufferPool`, which recycles the buffers of freed tensors.
    init(uninitializedCount count: Int) {
        self.count = count
        let (raw, sizeClass) = BufferPool.shared.allocate(bytes: count * MemoryLayout<Float>.stride)
        self.sizeClass = sizeClass
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
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
        BufferPool.shared.release(UnsafeMutableRawPointer(pointer), sizeClass: sizeClass)
    }
}
