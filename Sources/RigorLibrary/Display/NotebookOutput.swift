// NotebookOutput: `display(_:)` and its handle's `update(_:)`, `clearOutput(wait:)`, and the rich-text values
// `HTML(…)`, `Markdown(…)`, `SVG(…)`. In the kernel they become `display_data`, `update_display_data` and
// `clear_output` messages (the host is a `RichOutputHost`); elsewhere (`rigor run`) a display prints its text.
import Foundation
import RichDisplay
import RigorScript

/// A front end that shows rich output: the Jupyter kernel's host. A session whose host is not one (a script run
/// in a terminal) prints the `text/plain` of what is displayed instead.
public protocol RichOutputHost: ScriptHost {
    /// Shows `bundle` as a new output known by `id`.
    func display(_ bundle: MIMEBundle, id: String)
    /// Replaces the output known by `id` with `bundle`.
    func updateDisplay(_ bundle: MIMEBundle, id: String)
    /// Clears the cell's output; with `wait`, only when the next output arrives.
    func clearOutput(wait: Bool)
    /// The least time between two updates of a live output (`LiveOutput`: a running `fit`); the final state is
    /// always shown. A notebook wants a few a second; a test host may want every one (0).
    var liveUpdateInterval: TimeInterval { get }
}

extension RichOutputHost {
    /// Four updates a second: a small model finishes an epoch in milliseconds, and one chart per epoch would
    /// flood the front end.
    public var liveUpdateInterval: TimeInterval { 0.25 }
}

extension Value {
    /// The value as a notebook shows it: a `MIMERepresentable` object (a chart, a table, `HTML(…)`) with its own
    /// bundle, anything else as the text a cell result shows.
    public var mimeBundle: MIMEBundle {
        if case .object(let object) = self, let rich = object as? MIMERepresentable { return rich.mimeBundle }
        return MIMEBundle(plainText: debugDescription)
    }
}

/// Text in a rich format (HTML, Markdown, SVG), shown rendered by Jupyter: what `HTML(…)`, `Markdown(…)` and
/// `SVG(…)` return.
final class RichText: NativeObject, MIMERepresentable, ArgumentType, ScriptValueConvertible {
    /// The script types are `HTML`, `Markdown` and `SVG`.
    static var scriptTypeName: String { "RichText" }
    let kind: String
    let text: String
    let mimeType: String

    init(kind: String, text: String, mimeType: String) {
        self.kind = kind
        self.text = text
        self.mimeType = mimeType
    }

    var typeName: String { kind }

    var description: String {
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? ""
        return "\(kind)(\(firstLine.count > 60 ? String(firstLine.prefix(60)) + "…" : firstLine))"
    }

    var mimeBundle: MIMEBundle {
        MIMEBundle(data: [MIMEType.plainText: description, mimeType: text])
    }
}

/// What `display(_:)` returns: a handle to the output, for `update(_:)`.
final class DisplayHandle: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "DisplayHandle" }
    let id: String

    init(id: String) { self.id = id }

    var typeName: String { "DisplayHandle" }
    var description: String { "DisplayHandle(\(id))" }
}

extension RigorLibrary {
    /// What `display` shows: like a cell result, but a string bare (as `print` shows it), so a status line reads
    /// as text.
    static func displayBundle(_ value: Value) -> MIMEBundle {
        if case .string(let text) = value { return MIMEBundle(plainText: text) }
        return value.mimeBundle
    }

    /// Shows `bundle` on a rich host, or prints its text on any other.
    static func show(_ bundle: MIMEBundle, id: String, update: Bool, context: CallContext) {
        if let rich = context.host as? RichOutputHost {
            if update { rich.updateDisplay(bundle, id: id) } else { rich.display(bundle, id: id) }
        } else {
            context.host.write(bundle.plainText + "\n", to: .standardOutput)
        }
    }

    static func registerNotebookOutput(in registry: BuiltinRegistry) {
        registry.function(
            "display", Arg<Value>(nil, "value"),
            doc: "Shows `value` as rich output now (a chart, a table, HTML), and returns a handle to update it in "
                + "place. Outside a notebook (`rigor run`) it prints the value's text.",
            example: "let status = display(HTML(\"<b>training…</b>\"))"
        ) { context, value in
            let id = UUID().uuidString.lowercased()
            show(displayBundle(value), id: id, update: false, context: context)
            return DisplayHandle(id: id)
        }
        registry.function(
            "clearOutput", Arg("wait", default: false),
            doc: "Clears the cell's output; with `wait: true`, only when the next output arrives (no flicker). "
                + "Outside a notebook it does nothing.",
            example: "clearOutput(wait: true)"
        ) { context, wait in (context.host as? RichOutputHost)?.clearOutput(wait: wait) }
        for (name, mimeType, example) in [
            ("HTML", MIMEType.html, "HTML(\"<b>bold</b> move\")"),
            ("Markdown", MIMEType.markdown, "Markdown(\"# Results\\n*accuracy* 0.97\")"),
            ("SVG", MIMEType.svg, "SVG(\"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>\")"),
        ] {
            registry.function(
                name, Arg<String>(nil, "text"), returns: name,
                doc: "\(name) text that Jupyter shows rendered (as `\(mimeType)`), as a cell result or with `display`.",
                example: example
            ) { _, text in RichText(kind: name, text: text, mimeType: mimeType) }
        }

        let handle = registry.type(DisplayHandle.self, doc: "A displayed output that can be replaced in place.")
        handle.method(
            "update", Arg<Value>(nil, "value"), doc: "Replaces the displayed output with `value`.",
            example: "let progress = display(\"0%\")\nprogress.update(\"100%\")"
        ) { displayed, context, value in
            show(displayBundle(value), id: displayed.id, update: true, context: context)
        }
        handle.property("id", doc: "The display id Jupyter knows the output by.") { $0.id }
    }
}
