// BufferPool: recycles freed tensor buffers by size class, so a training step reuses the previous step's memory.

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A process-wide cache of 64-byte-aligned buffers, keyed by power-of-two size class.
///
/// A training step allocates the same shapes every time; taking the buffers the previous step freed avoids the
/// allocator (and page faults for large buffers). Each class keeps a bounded number of buffers and the pool a bounded
/// total, so memory held idle stays small. A mutex guards it: uncontended, it costs tens of nanoseconds.
final class BufferPool: Sendable {
    static let shared = BufferPool()

    /// Buffers of at most this many bytes are pooled; larger ones go straight to the allocator.
    static let largestPooledBytes = 64 << 20
    static let buffersPerClass = 256
    static let maximumIdleBytes = 256 << 20

    private struct State {
        // Addresses as integers: the raw pointers are not Sendable, and the pool only stores them.
        var free: [[UInt]] = Array(repeating: [], count: 64)
        var idleBytes = 0
    }

    private let state = Mutex(State())

    /// The size class of a request: buffers of class `c` hold `64 << c` bytes.
    @inline(__always)
    static func sizeClass(forBytes bytes: Int) -> Int {
        let units = (max(bytes, 64) + 63) >> 6
        return Int.bitWidth - (units - 1).leadingZeroBitCount
    }

    /// A buffer of at least `bytes` bytes, 64-byte aligned, or `nil` when the system has no memory for it.
    ///
    /// Pooled sizes are rounded up to their power-of-two class; larger buffers are allocated at their size (rounded
    /// to 64 bytes), so a 40 GB request does not ask the system for 64 GB.
    func allocate(bytes: Int) -> (pointer: UnsafeMutableRawPointer, sizeClass: Int)? {
        let sizeClass = Self.sizeClass(forBytes: bytes)
        let capacity = 64 << sizeClass
        if capacity <= Self.largestPooledBytes {
            let reused = state.withLock { state -> UInt? in
                guard let address = state.free[sizeClass].popLast() else { return nil }
                state.idleBytes -= capacity
                return address
            }
            if let reused, let pointer = UnsafeMutableRawPointer(bitPattern: reused) { return (pointer, sizeClass) }
            return Self.systemAllocate(bytes: capacity).map { ($0, sizeClass) }
        }
        return Self.systemAllocate(bytes: (bytes + 63) & ~63).map { ($0, sizeClass) }
    }

    /// `aligned_alloc`, which returns `nil` when memory runs out (Swift's allocator would end the process).
    private static func systemAllocate(bytes: Int) -> UnsafeMutableRawPointer? {
        var pointer: UnsafeMutableRawPointer?
        guard posix_memalign(&pointer, 64, bytes) == 0 else { return nil }
        return pointer
    }

    /// Returns a buffer obtained from `allocate(bytes:)`.
    func release(_ pointer: UnsafeMutableRawPointer, sizeClass: Int) {
        let capacity = 64 << sizeClass
        if capacity <= Self.largestPooledBytes {
            let address = UInt(bitPattern: pointer)
            let kept = state.withLock { state -> Bool in
                guard state.free[sizeClass].count < Self.buffersPerClass,
                    state.idleBytes + capacity <= Self.maximumIdleBytes
                else { return false }
                state.free[sizeClass].append(address)
                state.idleBytes += capacity
                return true
            }
            if kept { return }
        }
        free(pointer)
    }
}
