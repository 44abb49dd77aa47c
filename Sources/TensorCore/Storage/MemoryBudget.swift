// MemoryBudget: the limit on tensor memory, so that an allocation too large for the machine throws instead of
// ending the process.

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How much memory tensors may hold, and the check every op whose result can outgrow its operands makes first.
///
/// The **limit** is three quarters of the smallest of: physical memory, the cgroup's memory limit (v1 or v2), and
/// `RLIMIT_AS` / `RLIMIT_DATA`. The environment variable `RIGOR_MEMORY_LIMIT` replaces it (`8G`, `512M`, `1048576`,
/// `50%` of that smallest bound); ``setLimit(_:)`` changes it for the process, ``withLimit(_:_:)`` for a scope.
///
/// An op that asks for more than the limit minus what live tensors already hold (``bytesInUse``) throws a
/// ``TensorError`` whose ``TensorError/memoryShortfall`` says how much was asked for and how much was available;
/// so does a request of 64 MiB or more that exceeds what the system reports available right now
/// (`MemAvailable`, or the cgroup's headroom), and a shape whose scalar count overflows `Int`. Ops whose result is
/// no larger than an operand (elementwise ops, reductions, softmax) do not check: the operand already fits.
public enum MemoryBudget {
    /// Requests at least this large also check the memory the system has available (a `/proc` read).
    static let systemCheckThreshold = 64 << 20

    private static let processLimit = Atomic<Int>(0)  // 0: the default
    private static let inUse = Atomic<Int>(0)

    /// The smallest of physical memory, the cgroup limit and the address-space / data rlimits, in bytes.
    public static let systemBound: Int = SystemMemory.bound()

    /// The limit when nothing overrides it: `RIGOR_MEMORY_LIMIT` if set and valid, else 3/4 of ``systemBound``.
    public static let defaultLimit: Int = {
        if let text = getenv("RIGOR_MEMORY_LIMIT").map({ String(cString: $0) }),
            let bytes = parse(text, relativeTo: systemBound)
        {
            return bytes
        }
        return systemBound / 4 * 3
    }()

    /// The limit in force here: a ``withLimit(_:_:)`` scope's, else the process's (``setLimit(_:)``), else
    /// ``defaultLimit``.
    public static var limit: Int {
        if let scoped = EngineContext.current.memoryLimit { return scoped }
        let set = processLimit.load(ordering: .relaxed)
        return set > 0 ? set : defaultLimit
    }

    /// Sets the process's limit in bytes (at least 1); `nil` returns to ``defaultLimit``.
    public static func setLimit(_ bytes: Int?) {
        processLimit.store(bytes.map { Swift.max($0, 1) } ?? 0, ordering: .relaxed)
    }

    /// Runs `body` with `bytes` as the limit (task-local, like `noGrad`): other threads keep theirs.
    public static func withLimit<R, E: Error>(_ bytes: Int, _ body: () throws(E) -> R) throws(E) -> R {
        var context = EngineContext.current
        context.memoryLimit = bytes
        let result: Result<R, E> = EngineContext.$current.withValue(context) {
            Result { () throws(E) -> R in try body() }
        }
        return try result.get()
    }

    /// Bytes held by live tensors (their storage), across the process.
    public static var bytesInUse: Int { inUse.load(ordering: .relaxed) }

    /// Bytes an op may allocate here now: the limit minus ``bytesInUse`` (never negative).
    public static var availableBytes: Int { Swift.max(0, limit - bytesInUse) }

    static func account(bytes: Int) { inUse.add(bytes, ordering: .relaxed) }

    /// Throws a memory error unless `count` scalars of `scalarBytes` bytes each fit: within the limit, and, for a
    /// large request, within what the system has available. `count == nil` means the count overflowed.
    public static func check(
        count: Int?, scalarBytes: Int = MemoryLayout<Float>.stride, operation: String, shapes: [[Int]]
    ) throws(TensorError) {
        let limit = self.limit
        guard let count, case let (bytes, overflow) = count.multipliedReportingOverflow(by: scalarBytes), !overflow
        else {
            throw TensorError(
                operation, shapes: shapes,
                "the number of scalars overflows a 64-bit integer (memory limit \(format(bytes: limit)))",
                memoryShortfall: MemoryShortfall(requestedBytes: nil, availableBytes: availableBytes, limitBytes: limit)
            )
        }
        let available = Swift.max(0, limit - bytesInUse)
        if bytes > available {
            throw TensorError(
                operation, shapes: shapes,
                "cannot allocate \(format(bytes: bytes)) (\(count) scalars): \(format(bytes: available)) of the "
                    + "\(format(bytes: limit)) memory limit is available",
                memoryShortfall: MemoryShortfall(requestedBytes: bytes, availableBytes: available, limitBytes: limit))
        }
        if bytes >= systemCheckThreshold, let free = SystemMemory.available(), bytes > free {
            throw TensorError(
                operation, shapes: shapes,
                "cannot allocate \(format(bytes: bytes)) (\(count) scalars): the system has only "
                    + "\(format(bytes: free)) available",
                memoryShortfall: MemoryShortfall(requestedBytes: bytes, availableBytes: free, limitBytes: limit))
        }
    }

    /// The scalar count of `shape`, or `nil` when the product overflows `Int` (extents are not negative).
    public static func scalarCount<Extents: Sequence<Int>>(of shape: Extents) -> Int? {
        var product = 1
        for extent in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// Reads a size: bytes (`1048576`), with a binary suffix (`512K`, `512M`, `8G`, `1T`, optionally followed by
    /// `B` or `iB`), or a percentage of `base` (`50%`). `nil` when the text is not one of these or not positive.
    public static func parse(_ text: String, relativeTo base: Int) -> Int? {
        var body = Substring(text.trimmingWhitespace()).uppercased()[...]
        if body.hasSuffix("%") {
            guard let percent = Double(body.dropLast()), percent > 0, percent <= 100 else { return nil }
            return Int(Double(base) * percent / 100)
        }
        for suffix in ["IB", "B"] where body.hasSuffix(suffix) && body.count > suffix.count {
            body = body.dropLast(suffix.count)
            break
        }
        let shifts: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var shift = 0
        if let last = body.last, let value = shifts[last] {
            shift = value
            body = body.dropLast()
        }
        guard let number = Double(body), number > 0, number * Double(1 << shift) < 9e18 else { return nil }
        return Int(number * Double(1 << shift))
    }

    /// `37.3 GiB`, `512.0 MiB`, `64 bytes`: binary units, one decimal.
    public static func format(bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard bytes >= 1024 else { return "\(bytes) bytes" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

/// Why an allocation was refused: what was asked for and what was available, in bytes.
public struct MemoryShortfall: Equatable, Sendable {
    /// The bytes asked for; `nil` when the size overflowed a 64-bit integer.
    public let requestedBytes: Int?
    /// The bytes that were available (under the limit, or on the system when that was smaller).
    public let availableBytes: Int
    /// The limit in force.
    public let limitBytes: Int
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let characters = self[...]
        let start = characters.firstIndex { !$0.isWhitespace } ?? characters.endIndex
        let end = characters.lastIndex { !$0.isWhitespace }.map { characters.index(after: $0) } ?? start
        return characters[start..<end]
    }
}

/// What the operating system says about memory (Linux: `/proc`, cgroups, rlimits).
enum SystemMemory {
    /// The smallest of physical memory, the cgroup limit and the `RLIMIT_AS` / `RLIMIT_DATA` soft limits.
    static func bound() -> Int {
        var bound = physical()
        if let cgroup = cgroupLimit() { bound = Swift.min(bound, cgroup) }
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var limit = rlimit()
            #if os(Linux)
                let status = getrlimit(__rlimit_resource_t(resource.rawValue), &limit)
            #else
                let status = getrlimit(resource, &limit)
            #endif
            // RLIM_INFINITY is all ones, above Int.max.
            if status == 0 && limit.rlim_cur < UInt64(Int.max) {
                bound = Swift.min(bound, Int(limit.rlim_cur))
            }
        }
        return bound
    }

    static func physical() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 8 << 30 }
        return pages.multipliedReportingOverflow(by: size).overflow ? Int.max : pages * size
    }

    /// Bytes the system could give now: `MemAvailable`, and the cgroup's limit minus its usage if it has one.
    static func available() -> Int? {
        var result: Int?
        if let meminfo = read("/proc/meminfo"),
            let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            result = kilobytes * 1024
        }
        if let (limit, usage) = cgroupLimitAndUsage() {
            let headroom = Swift.max(0, limit - usage)
            result = Swift.min(result ?? headroom, headroom)
        }
        return result
    }

    static func cgroupLimit() -> Int? { cgroupLimitAndUsage()?.limit }

    /// The memory limit and usage of this process's cgroup (v2 `memory.max`, or v1 `memory.limit_in_bytes`), when
    /// it has a limit.
    private static func cgroupLimitAndUsage() -> (limit: Int, usage: Int)? {
        guard let membership = read("/proc/self/cgroup") else { return nil }
        var candidates: [(limit: String, usage: String)] = []
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = fields[2] == "/" ? "" : String(fields[2])
            if fields[0] == "0" && fields[1].isEmpty {
                candidates.append(("/sys/fs/cgroup\(path)/memory.max", "/sys/fs/cgroup\(path)/memory.current"))
                candidates.append(("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"))
            } else if fields[1].split(separator: ",").contains("memory") {
                let base = "/sys/fs/cgroup/memory"
                candidates.append(("\(base)\(path)/memory.limit_in_bytes", "\(base)\(path)/memory.usage_in_bytes"))
                candidates.append(("\(base)/memory.limit_in_bytes", "\(base)/memory.usage_in_bytes"))
            }
        }
        for candidate in candidates {
            guard let text = read(candidate.limit)?.split(separator: "\n").first else { continue }
            // "max" (v2) or a huge value (v1, page-rounded Int64.max) means no limit.
            guard let limit = Int(text), limit < 1 << 60 else { continue }
            let usage = read(candidate.usage)?.split(separator: "\n").first.flatMap { Int($0) } ?? 0
            return (limit, usage)
        }
        return nil
    }

    /// A small text file's contents (files under /proc and /sys report a size of 0, so read until the end).
    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[..<count]
            if bytes.count > 1 << 20 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
