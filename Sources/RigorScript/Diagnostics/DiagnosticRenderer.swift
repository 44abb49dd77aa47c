/// DiagnosticRenderer: prints errors as swiftc does — `In[7]:3:21: error: …`, the source line,
/// carets under the span, notes, then one line per call frame.
public struct DiagnosticRenderer {
    /// The text of every source by name, so notes and frames in earlier cells can be quoted.
    public var sources: [SourceName: String]
    /// ANSI colour, for the kernel; tests and `rigor run` into a file use plain text.
    public var usesColor: Bool

    public init(sources: [SourceName: String], usesColor: Bool = false) {
        self.sources = sources
        self.usesColor = usesColor
    }

    private func style(_ text: String, _ code: String) -> String {
        usesColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    public func render(_ error: ScriptError) -> String {
        var lines: [String] = []
        for diagnostic in error.diagnostics {
            lines.append(contentsOf: render(diagnostic))
        }
        lines.append(contentsOf: renderTrace(error.trace))
        return lines.joined(separator: "\n")
    }

    public func render(_ diagnostic: Diagnostic) -> [String] {
        var lines = [
            style("\(diagnostic.span.source.displayName):\(diagnostic.span.start):", "1") + " "
                + style("error:", "1;31") + " " + style(diagnostic.message, "1")
        ]
        lines.append(contentsOf: quote(diagnostic.span))
        for note in diagnostic.notes {
            if let span = note.span {
                lines.append(
                    style("\(span.source.displayName):\(span.start):", "1") + " " + style("note:", "1;36") + " "
                        + note.message)
                lines.append(contentsOf: quote(span))
            } else {
                lines.append(style("note:", "1;36") + " " + note.message)
            }
        }
        return lines
    }

    /// The source line and an underline: `^` at the start of the span, `~` under the rest.
    func quote(_ span: SourceSpan) -> [String] {
        guard let text = sources[span.source] else { return [] }
        let sourceLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard span.start.line >= 1, span.start.line <= sourceLines.count else { return [] }
        let line = Array(sourceLines[span.start.line - 1].unicodeScalars)
        let startColumn = min(span.start.column, line.count + 1)
        let endColumn =
            span.end.line == span.start.line
            ? max(span.end.column, startColumn + 1) : max(line.count + 1, startColumn + 1)
        var underline = ""
        for (index, scalar) in line.prefix(startColumn - 1).enumerated() {
            _ = index
            underline.unicodeScalars.append(scalar == "\t" ? "\t" : " ")
        }
        underline += "^" + String(repeating: "~", count: max(0, endColumn - startColumn - 1))
        return [String(String.UnicodeScalarView(line)), style(underline, "1;32")]
    }

    /// One line per frame, innermost first; a run of identical frames (deep recursion) is folded.
    func renderTrace(_ trace: [TraceFrame]) -> [String] {
        var lines: [String] = []
        var index = 0
        while index < trace.count {
            let frame = trace[index]
            var repeats = 0
            while index + repeats + 1 < trace.count && trace[index + repeats + 1] == frame { repeats += 1 }
            let location = "\(frame.location.source.displayName):\(frame.location.start)"
            if let function = frame.function {
                lines.append("  in \(function) at \(location)")
            } else {
                lines.append("  in \(location.hasPrefix("In[") ? "cell " : "")\(location)")
            }
            if repeats > 0 {
                lines.append("  [the frame above repeats \(repeats) more time\(repeats == 1 ? "" : "s")]")
            }
            index += repeats + 1
        }
        return lines
    }
}
