// DataFileError: a loader's error, naming the file, line and column like a compiler diagnostic.

/// A malformed data file: `file:line:column: reason` (line and column from 1; 0 when not applicable).
public struct DataFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let reason: String

    public init(file: String, line: Int = 0, column: Int = 0, _ reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String {
        switch (line, column) {
        case (0, _): return "\(file): \(reason)"
        case (_, 0): return "\(file):\(line): \(reason)"
        default: return "\(file):\(line):\(column): \(reason)"
        }
    }
}
