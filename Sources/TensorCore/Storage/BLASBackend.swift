// BLASBackend: what OpenBLAS is doing underneath (kernel family, threads), and how to steer it.

import CBLAS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Facts about, and the few settings of, the OpenBLAS library behind every matrix product.
///
/// OpenBLAS picks its kernels when the library loads (`DYNAMIC_ARCH`). An OpenBLAS older than the CPU may not
/// recognize it and fall back to generic SSE3 kernels ("Prescott"), 4–5× slower; the only remedy is to start the
/// process with `OPENBLAS_CORETYPE` set, which ``recommendedCoreType`` computes from the CPU's features.
public enum BLASBackend {
    /// The kernel family OpenBLAS selected, e.g. `"SkylakeX"`, `"Cooperlake"`, `"Haswell"`, `"Prescott"`.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration string (version, threading, architecture options).
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The number of threads OpenBLAS may use for one large product (small ones always run on one).
    public static var threadCount: Int {
        _ = configureOnce
        return Int(openblas_get_num_threads())
    }

    /// Limits OpenBLAS's threads (the default is 1, see ``configureOnce``); more only pays for large products on
    /// an otherwise idle machine.
    public static func setThreadCount(_ count: Int) {
        _ = configureOnce
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Runs once, before the first product: pins OpenBLAS to one thread unless `OPENBLAS_NUM_THREADS` or
    /// `OMP_NUM_THREADS` says otherwise. OpenBLAS's workers busy-wait between calls, and on a shared 2-core machine
    /// a spinning worker collapses throughput (see docs/performance.md); the small products of small models never
    /// use a second thread anyway.
    static let configureOnce: Void = {
        if getenv("OPENBLAS_NUM_THREADS") == nil && getenv("OMP_NUM_THREADS") == nil {
            openblas_set_num_threads(1)
        }
    }()

    /// The `OPENBLAS_CORETYPE` to start the process with when OpenBLAS fell back to generic kernels on a CPU that has
    /// AVX-512 or AVX2, else `nil` (nothing to fix).
    public static var recommendedCoreType: String? {
        let generic: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai", "Banias"]
        guard generic.contains(coreName) else { return nil }
        let flags = cpuFlags()
        if flags.contains("avx512_bf16") { return "Cooperlake" }
        if flags.contains("avx512f") && flags.contains("avx512bw") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// Re-executes the current process, same arguments, with `OPENBLAS_CORETYPE` set to ``recommendedCoreType``
    /// when OpenBLAS fell back to generic kernels and the variable is unset (Linux only).
    ///
    /// Call it first thing in `main` of a process that will run the engine, before any other thread starts. When
    /// there is nothing to fix, or `exec` fails, it returns and the process goes on unchanged; it never loops,
    /// because the re-executed process finds the variable set.
    public static func relaunchWithRecommendedCoreTypeIfNeeded() {
        #if os(Linux)
            guard getenv("OPENBLAS_CORETYPE") == nil, let core = recommendedCoreType else { return }
            setenv("OPENBLAS_CORETYPE", core, 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            unsetenv("OPENBLAS_CORETYPE")  // exec failed: leave the environment as it was
        #endif
    }

    /// The CPU's feature flags from `/proc/cpuinfo` (`avx2`, `avx512f`, `avx512_vnni`, …); empty elsewhere.
    package static func cpuFlags() -> Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                return Set(text.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
            }
        }
        return []
    }
}
