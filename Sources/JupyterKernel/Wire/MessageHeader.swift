import Foundation
import RichDisplay

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
    public static let protocolVersion = "5.5"

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
