// BackendTests: the buffer pool recycles, OpenBLAS reports itself, runs the CPU's own kernels and defaults to one thread.

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
    }

    /// Debian 12's OpenBLAS falls back to generic SSE3 kernels on CPUs newer than it ("Prescott", 4–5× slower GEMM);
    /// configuring the backend (done before the first product) must leave it on the CPU's own family, in this
    /// process, without the user setting OPENBLAS_CORETYPE.
    @Test func openBLASRunsTheCPUsOwnKernelsOnceConfigured() throws {
        _ = BLASBackend.threadCount
        let generic = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai", "Banias"]
        let flags = BLASBackend.cpuFlags()
        try #require(flags.contains("avx2"), "this CPU has no AVX2: generic kernels may be the right ones")
        #expect(!generic.contains(BLASBackend.coreName), "OpenBLAS still runs \(BLASBackend.coreName)")
        #expect(BLASBackend.recommendedCoreType == nil)
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [1, 0, 0, 1, 1, 1]
        let product = try Tensor(shape: [2, 3], scalars: a).matmul(Tensor(shape: [3, 2], scalars: b))
        #expect(product.scalars == [4, 5, 10, 11])
    }
}
