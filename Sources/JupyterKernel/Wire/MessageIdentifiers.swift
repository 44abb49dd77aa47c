import Foundation
import Synchronization

/// Fresh message ids and timestamps, made cheaply: every message the kernel sends needs both.
enum MessageIdentifiers {
    /// A random prefix per process, then a counter, as ipykernel does (`<uuid>_<pid>_<n>`).
    private static let prefix = UUID().uuidString.lowercased() + "_\(getpid())_"
    private static let counter = Atomic<Int>(0)

    static func next() -> String {
        prefix + String(counter.add(1, ordering: .relaxed).newValue)
    }

    /// The current UTC time as ISO 8601 with microseconds, e.g. `2026-11-29T20:31:19.123456Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
            + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            + ".\(pad(Int(now.tv_nsec) / 1000, 6))Z"
    }
}
