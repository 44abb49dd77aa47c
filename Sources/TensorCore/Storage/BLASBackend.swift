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
/// recognize it and fall back to generic SSE3 kernels ("Prescott"), 4–5× slower; ``configureOnce`` then sets
/// `OPENBLAS_CORETYPE` to what ``recommendedCoreType`` computes from the CPU's features and has OpenBLAS choose again.
public enum BLASBackend {
    /// The kernel family OpenBLAS runs, e.g. `"SkylakeX"`, `"Cooperlake"`, `"Haswell"` (after ``configureOnce``, so
    /// what the first product will use, not the generic family an old OpenBLAS fell back to when it loaded).
    public static var coreName: String {
        _ = configureOnce
        return loadedCoreName
    }

    /// The family OpenBLAS chose as it stands, without configuring it first.
    static var loadedCoreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration string (version, threading, architecture options; it names the kernel
    /// family too, so it is read after ``configureOnce``).
    public static var configuration: String {
        _ = configureOnce
        return String(cString: openblas_get_config())
    }

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

    /// Runs once, before the first product (every product goes through `Tensor.gemm`, which asks for it first):
    ///
    /// 1. When OpenBLAS fell back to generic kernels on a CPU it does not know (Debian 12's 0.3.21 on Sapphire
    ///    Rapids: "Prescott", 4–5× slower GEMM) and `OPENBLAS_CORETYPE` is unset, sets the variable to
    ///    ``recommendedCoreType`` and has OpenBLAS choose its kernels again in this process
    ///    (`gotoblas_dynamic_init`, which reads it). Until 2026-12-07 every `rigor run` and kernel re-executed
    ///    itself for this, paying the whole start-up twice (docs/performance.md); now a script that multiplies no
    ///    matrices pays nothing, and one that does pays it once.
    /// 2. Pins OpenBLAS to one thread unless `OPENBLAS_NUM_THREADS` or `OMP_NUM_THREADS` says otherwise. OpenBLAS's
    ///    workers busy-wait between calls, and on a shared 2-core machine a spinning worker collapses throughput
    ///    (see docs/performance.md); the small products of small models never use a second thread anyway.
    static let configureOnce: Void = {
        if getenv("OPENBLAS_CORETYPE") == nil, let core = recommendedCoreType {
            setenv("OPENBLAS_CORETYPE", core, 1)
            if rigor_openblas_select_kernels_again() == 0 { unsetenv("OPENBLAS_CORETYPE") }
        }
        if getenv("OPENBLAS_NUM_THREADS") == nil && getenv("OMP_NUM_THREADS") == nil {
            openblas_set_num_threads(1)
        }
    }()

    /// The `OPENBLAS_CORETYPE` that gives this CPU its own kernels when OpenBLAS fell back to generic ones on a CPU
    /// that has AVX-512 or AVX2, else `nil` (nothing to fix). Reads the family as loaded: after ``configureOnce``
    /// has fixed it, this is `nil`.
    public static var recommendedCoreType: String? {
        switch loadedCoreName {
        case "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai", "Banias": break
        default: return nil
        }
        let flags = cpuFlags()
        if flags.contains("avx512_bf16") { return "Cooperlake" }
        if flags.contains("avx512f") && flags.contains("avx512bw") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
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
