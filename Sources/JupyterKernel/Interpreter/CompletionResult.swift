/// The answer to a `complete_request`: the matches and the range they replace (in Unicode
/// scalars).
public struct CompletionResult: Equatable, Sendable {
    public var matches: [String]
    public var cursorStart: Int
    public var cursorEnd: Int
    /// Extra per-match information (`_jupyter_types_experimental`), if any.
    public var metadata: JSONValue

    public init(matches: [String], cursorStart: Int, cursorEnd: Int, metadata: JSONValue = .emptyObject) {
        self.matches = matches
        self.cursorStart = cursorStart
        self.cursorEnd = cursorEnd
        self.metadata = metadata
    }
}

/// The answer to an `is_complete_request`.
public enum CodeCompleteness: Equatable, Sendable {
    case complete
    /// More input is needed; `indent` is what the next line should start with.
    case incomplete(indent: String)
    case invalid
    case unknown
}
