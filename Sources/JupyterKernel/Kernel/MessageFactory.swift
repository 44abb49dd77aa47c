import Foundation
import RichDisplay

/// Makes the kernel's outgoing messages: fresh headers in the kernel's session, the request's
/// header as parent, and (on ROUTER channels) the request's identities.
struct MessageFactory: Sendable {
    /// The kernel's session id; a new one on every start, so clients notice a restart.
    let session: String

    func reply(to request: Message, type: String, content: JSONValue) -> Message {
        Message(
            identities: request.identities, header: MessageHeader(messageType: type, session: session),
            parentHeader: request.header.json, content: content)
    }

    /// An iopub message; its topic (the one frame before the delimiter) names the kind.
    func broadcast(type: String, content: JSONValue, parent: JSONValue, metadata: JSONValue = .emptyObject) -> Message {
        Message(
            identities: [Data("kernel.\(session).\(type)".utf8)],
            header: MessageHeader(messageType: type, session: session), parentHeader: parent, metadata: metadata,
            content: content)
    }
}
