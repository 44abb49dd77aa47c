// FileAccessError: a file that could not be read or written, with its path and the operating system's reason.
import Foundation

/// A file the engine could not read or write: which file, which way, and the operating system's reason
/// (`strerror`), e.g. `cannot write 'runs/model.safetensors': No such file or directory`.
public struct FileAccessError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Whether the file was being read or written.
    public enum Access: String, Sendable {
        case read, write
    }

    /// The path as the caller gave it.
    public let path: String
    public let access: Access
    /// The operating system's reason, e.g. `Permission denied`.
    public let reason: String

    public init(path: String, access: Access, reason: String) {
        self.path = path
        self.access = access
        self.reason = reason
    }

    /// An error for `path` from the C `errno` value `code`.
    public init(path: String, access: Access, errorNumber code: Int32) {
        self.init(path: path, access: access, reason: String(cString: strerror(code)))
    }

    public var description: String { "cannot \(access.rawValue) '\(path)': \(reason)" }
}
