import RichDisplay

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
