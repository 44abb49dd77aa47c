/// Why a received message was refused. Refused messages are logged and dropped, never executed.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingDelimiter
    case missingFrames(found: Int)
    case missingSignature
    case invalidSignature
    case malformedJSON(frame: String)
    case notAnObject(frame: String)
    case incompleteHeader
    /// The signature of a message already received: a replay.
    case replayedSignature

    public var description: String {
        switch self {
        case .missingDelimiter: "no <IDS|MSG> delimiter"
        case .missingFrames(let found): "expected at least 5 frames after the delimiter, found \(found)"
        case .missingSignature: "missing signature"
        case .invalidSignature: "invalid signature"
        case .malformedJSON(let frame): "malformed JSON in \(frame)"
        case .notAnObject(let frame): "\(frame) is not a JSON object"
        case .incompleteHeader: "header lacks msg_id, msg_type, session, username or version"
        case .replayedSignature: "duplicate signature (a replayed message)"
        }
    }
}
