/// A position in a cell or script: 1-based line and column (columns count Unicode scalars).
public struct SourcePosition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A half-open range of source text in one named source (`In[7]`, `train.rigor`).
///
/// `start` is the first character and `end` the position just past the last, on the same or a
/// later line; an empty span (`start == end`) marks a point such as the end of input.
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
    public var source: SourceName
    public var start: SourcePosition
    public var end: SourcePosition

    public init(source: SourceName, start: SourcePosition, end: SourcePosition) {
        self.source = source
        self.start = start
        self.end = end
    }

    /// The smallest span covering both spans (which must be in the same source).
    public func through(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(source: source, start: min(start, other.start), end: max(end, other.end))
    }

    public var description: String { "\(source.displayName):\(start)" }
}

/// The name a diagnostic uses for a source: a notebook cell (`In[7]`) or a file (`train.rigor`).
public struct SourceName: Hashable, Sendable {
    public var displayName: String

    public init(_ displayName: String) {
        self.displayName = displayName
    }

    /// The name of the notebook cell with execution count `number`.
    public static func cell(_ number: Int) -> SourceName { SourceName("In[\(number)]") }
}
