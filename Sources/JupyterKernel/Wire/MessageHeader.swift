import Foundation
import Synchronization

/// The header of a Jupyter message: who sent it, when, and what it is.
public struct MessageHeader: Hashable, Sendable {
    public var messageID: String
    public var session: String
    public var username: String
    /// ISO 8601; required since protocol 5.1, tolerated when missing on input.
    public var date: String
    public var messageType: String
    public var version: String
    /// The header exactly as received (extra fields included), echoed as `parent_header`.
    public var json: JSONValue

    /// The protocol version Rigor speaks.
    public static let protocolVersion = "5.3"

    /// A fresh header for a message the kernel sends.
    public init(messageType: String, session: String, username: String = "rigor") {
        self.messageID = MessageIdentifiers.next()
        self.session = session
        self.username = username
        self.date = MessageIdentifiers.timestamp()
        self.messageType = messageType
        self.version = Self.protocolVersion
        self.json = [
            "msg_id": .string(messageID), "session": .string(session), "username": .string(username),
            "date": .string(date), "msg_type": .string(messageType), "version": .string(version),
        ]
    }

    /// Reads a received header; `nil` when a required field is missing or not a string.
    public init?(json: JSONValue) {
        guard let messageID = json["msg_id"]?.stringValue, !messageID.isEmpty,
            let messageType = json["msg_type"]?.stringValue, !messageType.isEmpty,
            let session = json["session"]?.stringValue,
            let username = json["username"]?.stringValue,
            let version = json["version"]?.stringValue
        else { return nil }
        self.messageID = messageID
        self.messageType = messageType
        self.session = session
        self.username = username
        self.version = version
        self.date = json["date"]?.stringValue ?? ""
        self.json = json
    }
}

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
