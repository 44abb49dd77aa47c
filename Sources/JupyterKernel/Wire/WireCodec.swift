import Foundation
import RichDisplay

/// Turns multipart frames into `Message`s and back:
/// `[identities…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]`.
///
/// Decoding checks the signature before parsing any JSON, so a forged message has no effect.
/// With a `DigestHistory` (the kernel's codec has one), a signature seen before is refused: a
/// captured message replayed verbatim does not run again.
public struct WireCodec: Sendable {
    public static let delimiter = Data("<IDS|MSG>".utf8)

    public let signer: MessageSigner
    /// The signatures already accepted; `nil`: replays are not checked (clients, tests).
    public let digests: DigestHistory?

    public init(signer: MessageSigner, digests: DigestHistory? = nil) {
        self.signer = signer
        self.digests = digests
    }

    public init(key: String, scheme: String = "hmac-sha256", digests: DigestHistory? = nil) {
        self.signer = MessageSigner(key: key, scheme: scheme)
        self.digests = digests
    }

    /// The frames of a message, signed.
    public func encode(_ message: Message) -> [Data] {
        let parts = [
            message.header.json.serialized, message.parentHeader.serialized, message.metadata.serialized,
            message.content.serialized,
        ]
        return message.identities + [Self.delimiter, signer.signature(of: parts)] + parts + message.buffers
    }

    /// Decodes and authenticates frames; throws a `WireError` saying why a message is refused.
    public func decode(_ frames: [Data]) throws(WireError) -> Message {
        guard let delimiterIndex = frames.firstIndex(of: Self.delimiter) else { throw .missingDelimiter }
        let rest = frames[(delimiterIndex + 1)...]
        guard rest.count >= 5 else { throw .missingFrames(found: rest.count) }
        let signature = rest[rest.startIndex]
        let parts = Array(rest[(rest.startIndex + 1)..<(rest.startIndex + 5)])
        guard signer.isValid(signature: signature, for: parts) else {
            throw signature.isEmpty ? .missingSignature : .invalidSignature
        }
        // Unsigned messages (empty key) have no digest to remember, as in ipykernel.
        if signer.isSigning, let digests, !digests.insert(signature) { throw .replayedSignature }
        var objects: [JSONValue] = []
        for (part, name) in zip(parts, ["header", "parent_header", "metadata", "content"]) {
            guard let value = try? JSONValue(parsing: part) else { throw .malformedJSON(frame: name) }
            guard case .object = value else { throw .notAnObject(frame: name) }
            objects.append(value)
        }
        guard let header = MessageHeader(json: objects[0]) else { throw .incompleteHeader }
        return Message(
            identities: Array(frames[..<delimiterIndex]), header: header, parentHeader: objects[1],
            metadata: objects[2], content: objects[3], buffers: Array(rest.dropFirst(5)))
    }
}
