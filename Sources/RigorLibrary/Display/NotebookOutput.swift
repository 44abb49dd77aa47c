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
final class RichText: NativeObject, MIMERepresentable {
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
final class DisplayHandle: NativeObject {
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
        registry.global(
            "display", [param(nil, "value")], returns: "DisplayHandle",
            doc: "Shows `value` as rich output now (a chart, a table, HTML), and returns a handle to update it in "
                + "place. Outside a notebook (`rigor run`) it prints the value's text.",
            example: "let status = display(HTML(\"<b>training…</b>\"))"
        ) { arguments, context in
            let id = UUID().uuidString.lowercased()
            show(displayBundle(arguments[0]), id: id, update: false, context: context)
            return .object(DisplayHandle(id: id))
        }
        registry.global(
            "clearOutput", [param("wait", "wait", "Bool", default: .bool(false))],
            doc: "Clears the cell's output; with `wait: true`, only when the next output arrives (no flicker). "
                + "Outside a notebook it does nothing.",
            example: "clearOutput(wait: true)"
        ) { arguments, context in
            (context.host as? RichOutputHost)?.clearOutput(wait: try arguments.bool(0))
            return .nil
        }
        for (name, mimeType, example) in [
            ("HTML", MIMEType.html, "HTML(\"<b>bold</b> move\")"),
            ("Markdown", MIMEType.markdown, "Markdown(\"# Results\\n*accuracy* 0.97\")"),
            ("SVG", MIMEType.svg, "SVG(\"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>\")"),
        ] {
            registry.global(
                name, [param(nil, "text", "String")], returns: name,
                doc: "\(name) text that Jupyter shows rendered (as `\(mimeType)`), as a cell result or with `display`.",
                example: example
            ) { arguments, _ in
                .object(RichText(kind: name, text: try arguments.string(0), mimeType: mimeType))
            }
        }

        let handle = TypeDescriptor("DisplayHandle", doc: "A displayed output that can be replaced in place.")
        handle.define(
            "update", [param(nil, "value")], doc: "Replaces the displayed output with `value`.",
            example: "let progress = display(\"0%\")\nprogress.update(\"100%\")"
        ) { receiver, arguments, context in
            let displayed = try receiver.object(DisplayHandle.self)
            show(displayBundle(arguments[0]), id: displayed.id, update: true, context: context)
            return .nil
        }
        handle.getter("id", type: "String", doc: "The display id Jupyter knows the output by.") {
            .string(try $0.object(DisplayHandle.self).id)
        }
        registry.register(handle)
    }
}
