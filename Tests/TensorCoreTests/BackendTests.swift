// BackendTests: the buffer pool recycles, OpenBLAS reports itself and defaults to one thread.

import Testing

@testable import TensorCore

@Suite("Backend")
struct BackendTests {
    @Test func poolRecyclesBuffersBySizeClass() throws {
        #expect(BufferPool.sizeClass(forBytes: 1) == 0)
        #expect(BufferPool.sizeClass(forBytes: 64) == 0)
        #expect(BufferPool.sizeClass(forBytes: 65) == 1)
        #expect(BufferPool.sizeClass(forBytes: 16384) == 8)
        let pool = BufferPool()
        let (first, sizeClass) = try #require(pool.allocate(bytes: 1000))
        #expect(Int(bitPattern: first) % 64 == 0)
        pool.release(first, sizeClass: sizeClass)
        let (second, _) = try #require(pool.allocate(bytes: 900))
        #expect(second == first)
        pool.release(second, sizeClass: sizeClass)
    }

    @Test func openBLASReportsItself() {
        #expect(!BLASBackend.coreName.isEmpty)
        #expect(BLASBackend.configuration.contains("OpenBLAS"))
        #expect(BLASBackend.threadCount >= 1)
        if let core = BLASBackend.recommendedCoreType {
            #expect(["Cooperlake", "SkylakeX", "Haswell"].contains(core))
        }
    }
}
