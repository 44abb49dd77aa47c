/// A rich representation of one value: the same thing in several MIME types, best first.
///
/// Jupyter front ends pick the richest type they can render; `text/plain` is always present so a
/// terminal, an exported notebook or a test can still read the value.
public struct MIMEBundle: Hashable, Sendable {
    /// The representations, keyed by MIME type (`text/plain`, `text/html`, `image/svg+xml`, …).
    public var data: [String: String]
    /// Per-type metadata, e.g. `["image/svg+xml": ["isolated": "true"]]`.
    public var metadata: [String: [String: String]]

    public init(plainText: String) {
        self.data = [MIMEType.plainText: plainText]
        self.metadata = [:]
    }

    public init(data: [String: String], metadata: [String: [String: String]] = [:]) {
        precondition(data[MIMEType.plainText] != nil, "a MIME bundle always carries text/plain")
        self.data = data
        self.metadata = metadata
    }

    /// The text/plain fallback every bundle carries.
    public var plainText: String { data[MIMEType.plainText] ?? "" }

    /// Adds or replaces one representation.
    public mutating func add(_ content: String, as mimeType: String) {
        data[mimeType] = content
    }
}

/// The MIME types Rigor produces.
public enum MIMEType {
    public static let plainText = "text/plain"
    public static let html = "text/html"
    public static let svg = "image/svg+xml"
    public static let json = "application/json"
    public static let markdown = "text/markdown"
}

/// A value that shows itself richly (a chart, a table, HTML): front ends such as the Jupyter
/// kernel ask it for its bundle instead of printing its description.
public protocol MIMERepresentable {
    var mimeBundle: MIMEBundle { get }
}
