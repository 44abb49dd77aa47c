import Foundation
import RichDisplay
import RigorScript

/// The builtins only a notebook has, registered into the session by `RigorInterpreter`: rich
/// display, updating a display in place, clearing output, and rich text values.
enum DisplayBuiltins {
    static func register(in session: Session) {
        let registry = session.registry
        registry.beginFamily("Notebook display")
        for function in functions { session.register(function) }

        let handle = TypeDescriptor("DisplayHandle", doc: "A displayed output that can be replaced in place.")
        handle.add(
            Method(
                Signature(
                    "update", [.init(nil, "value")], doc: "Replaces the displayed output with `value`.",
                    example: "let progress = display(\"0%\")\nprogress.update(\"100%\")")
            ) { receiver, arguments, context in
                guard case .object(let object) = receiver, let displayed = object as? DisplayHandle else {
                    throw BuiltinError(.type, "update(_:) needs a DisplayHandle")
                }
                host(context)?.context?.publisher.updateDisplay(displayBundle(arguments[0]), displayID: displayed.id)
                return .nil
            })
        handle.add(
            Property("id", type: "String", doc: "The display id Jupyter knows the output by.") { receiver, _ in
                guard case .object(let object) = receiver, let displayed = object as? DisplayHandle else { return .nil }
                return .string(displayed.id)
            })
        registry.register(handle)
        session.defineBuiltins()
    }

    private static func host(_ context: CallContext) -> KernelHost? { context.host as? KernelHost }

    /// What `display` shows: like a cell result, but a string bare (as `print` shows it), so a
    /// status line reads as text.
    private static func displayBundle(_ value: Value) -> MIMEBundle {
        if case .string(let text) = value { return MIMEBundle(plainText: text) }
        return value.mimeBundle
    }

    private static let functions: [BuiltinFunction] = [
        BuiltinFunction(
            Signature(
                "display", [.init(nil, "value")], returns: "DisplayHandle",
                doc: "Shows `value` as rich output now (a chart, a table, HTML), and returns a handle to update it.",
                example: "let status = display(HTML(\"<b>training…</b>\"))")
        ) { arguments, context in
            let id = UUID().uuidString.lowercased()
            host(context)?.context?.publisher.display(displayBundle(arguments[0]), displayID: id)
            return .object(DisplayHandle(id: id))
        },
        BuiltinFunction(
            Signature(
                "clearOutput", [.init("wait", type: "Bool", default: .bool(false))],
                doc: "Clears the cell's output; with `wait: true`, only when the next output arrives (no flicker).",
                example: "clearOutput(wait: true)")
        ) { arguments, context in
            host(context)?.context?.publisher.clearOutput(wait: try arguments.bool(0))
            return .nil
        },
        richText("HTML", MIMEType.html, example: "HTML(\"<b>bold</b> move\")"),
        richText("Markdown", MIMEType.markdown, example: "Markdown(\"# Results\\n*accuracy* 0.97\")"),
        richText(
            "SVG", MIMEType.svg, example: "SVG(\"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>\")"),
    ]

    private static func richText(_ name: String, _ mimeType: String, example: String) -> BuiltinFunction {
        BuiltinFunction(
            Signature(
                name, [.init(nil, "text", type: "String")], returns: name,
                doc: "\(name) text that Jupyter shows rendered (as `\(mimeType)`), as a cell result or with `display`.",
                example: example)
        ) { arguments, _ in
            .object(RichText(kind: name, text: try arguments.string(0), mimeType: mimeType))
        }
    }
}
