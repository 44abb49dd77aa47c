import Foundation
import RichDisplay

/// One Jupyter message, decoded: routing identities, header, parent header, metadata, content
/// and binary buffers.
public struct Message: Sendable {
    /// The ROUTER identities (or the iopub topic) that precede `<IDS|MSG>`.
    public var identities: [Data]
    public var header: MessageHeader
    /// The header of the request this message answers, or `{}`.
    public var parentHeader: JSONValue
    public var metadata: JSONValue
    public var content: JSONValue
    public var buffers: [Data]

    public init(
        identities: [Data] = [], header: MessageHeader, parentHeader: JSONValue = .emptyObject,
        metadata: JSONValue = .emptyObject, content: JSONValue = .emptyObject, buffers: [Data] = []
    ) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    public var messageType: String { header.messageType }

    /// The `msg_id` of the parent header, if any.
    public var parentMessageID: String? { parentHeader["msg_id"]?.stringValue }
}
