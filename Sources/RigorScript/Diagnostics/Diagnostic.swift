/// The kind of a script error, reported to Jupyter as `ename` (`SyntaxError`, `TypeError`, …).
///
/// A struct rather than an enum so that libraries can add kinds (`ShapeError`) without the
/// language knowing them.
public struct ErrorKind: Hashable, Sendable, CustomStringConvertible {
    public var name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }

    public static let syntax = ErrorKind("SyntaxError")
    public static let name = ErrorKind("NameError")
    public static let type = ErrorKind("TypeError")
    public static let value = ErrorKind("ValueError")
    public static let index = ErrorKind("IndexError")
    public static let arithmetic = ErrorKind("ArithmeticError")
    public static let recursion = ErrorKind("RecursionError")
    public static let interrupted = ErrorKind("Interrupted")
    public static let runtime = ErrorKind("RuntimeError")
    public static let io = ErrorKind("IOError")
    /// An allocation above the session's memory limit (`BuiltinRegistry.checkAllocation`); the session survives.
    public static let memory = ErrorKind("MemoryError")
}

/// One message about the user's code: a kind, a one-line message, where, and notes.
public struct Diagnostic: Sendable, CustomStringConvertible {
    /// A secondary message, optionally with its own location (`note: to match this opening '{'`).
    public struct Note: Sendable {
        public var message: String
        public var span: SourceSpan?

        public init(_ message: String, at span: SourceSpan? = nil) {
            self.message = message
            self.span = span
        }
    }

    public var kind: ErrorKind
    public var message: String
    public var span: SourceSpan
    public var notes: [Note]

    public init(_ kind: ErrorKind, _ message: String, at span: SourceSpan, notes: [Note] = []) {
        self.kind = kind
        self.message = message
        self.span = span
        self.notes = notes
    }

    public var description: String { "\(span): error: \(message)" }
}

/// One call frame of a runtime error's trace: the function (or the cell) and where it was.
public struct TraceFrame: Sendable, Hashable {
    /// The function as Swift writes it (`classify(_:)`), or nil for the top level of a cell or script.
    public var function: String?
    public var location: SourceSpan

    public init(function: String?, location: SourceSpan) {
        self.function = function
        self.location = location
    }
}

/// An error in the user's code: every syntax error of a cell, or one runtime error with its trace.
public struct ScriptError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    /// Innermost frame first; empty when the error happened at the top level.
    public var trace: [TraceFrame] {
        get { unwinding.frames }
        set { unwinding.frames = newValue }
    }

    /// Frames are added while the error unwinds through every call; they live in a box so that
    /// adding one does not copy the trace (a deep recursion would otherwise cost O(depth²)).
    final class Unwinding: @unchecked Sendable {
        var frames: [TraceFrame] = []
        /// Where the current function was when the error left it (its call site in the function
        /// that adds the next frame). Nil means the error's own span.
        var pendingLocation: SourceSpan?
    }
    let unwinding = Unwinding()

    var pendingLocation: SourceSpan? {
        get { unwinding.pendingLocation }
        nonmutating set { unwinding.pendingLocation = newValue }
    }

    /// Adds the frame of the function the error is leaving.
    func addFrame(function: String) {
        unwinding.frames.append(TraceFrame(function: function, location: unwinding.pendingLocation ?? span))
        unwinding.pendingLocation = nil
    }

    public init(_ diagnostics: [Diagnostic]) {
        precondition(!diagnostics.isEmpty)
        self.diagnostics = diagnostics
    }

    public init(_ kind: ErrorKind, _ message: String, at span: SourceSpan, notes: [Diagnostic.Note] = []) {
        self.diagnostics = [Diagnostic(kind, message, at: span, notes: notes)]
    }

    /// The first diagnostic's kind: Jupyter's `ename`.
    public var kind: ErrorKind { diagnostics[0].kind }
    /// The first diagnostic's message: Jupyter's `evalue`.
    public var message: String { diagnostics[0].message }
    public var span: SourceSpan { diagnostics[0].span }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
